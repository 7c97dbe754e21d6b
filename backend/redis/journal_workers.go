package redis

import (
	"context"
	"errors"
	"slices"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
)

var _ backend.JournalWorkers = (*Journal)(nil)

// The workers alive are a sorted set, "<prefix>:{<bot>}:journal:workers":
// each member an owner, scored with the end of its announcement in Unix
// milliseconds on the server's clock.

// serverNowLua sets now to the server's clock in milliseconds.
const serverNowLua = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

// journalAnnounceScript records or removes a worker and drops the
// announcements that ran out; the key expires with the longest one.
//
//	KEYS[1]  workers set  ARGV[1]  owner  ARGV[2]  ttl in milliseconds (<= 0: leave)
var journalAnnounceScript = goredis.NewScript(serverNowLua + `
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ttl <= 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`)

// journalWorkersScript lists the workers whose announcement runs.
//
//	KEYS[1]  workers set
var journalWorkersScript = goredis.NewScript(serverNowLua + `
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
`)

// Announce records that owner is alive for ttl, or removes it when ttl
// is zero or less.
func (j *Journal) Announce(ctx context.Context, owner string, ttl time.Duration) error {
	if owner == "" {
		return journalError("announce", errors.New("empty owner"))
	}
	ms := int64(0)
	if ttl > 0 {
		ms = millis(ttl)
	}
	if err := journalAnnounceScript.Run(ctx, j.client, []string{j.workers}, owner, ms).Err(); err != nil {
		return journalError("announce", err)
	}
	return nil
}

// Workers lists the workers whose announcement has not run out, sorted.
func (j *Journal) Workers(ctx context.Context) ([]string, error) {
	ws, err := journalWorkersScript.Run(ctx, j.client, []string{j.workers}).StringSlice()
	if err != nil {
		return nil, journalError("workers", err)
	}
	slices.Sort(ws)
	return ws, nil
}
