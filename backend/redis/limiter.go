package redis

import (
	"cmp"
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// LimiterStore keeps one bot's outbound limits in Redis: a backend.LimitStore
// that every process of the bot shares, so that together they stay within
// Telegram's limits and all of them pause a chat (or, for a 429 without a
// chat, the whole bot) after a 429. Store.Limits returns one (or make it
// with NewLimiterStore); pass it as limit.Config.Store.
//
// Each attempt is one Lua script (a GCRA over the global, chat and group
// buckets, all or nothing, on the Redis server's clock, which also checks
// the bot's and the chat's pauses); waiting happens in the calling
// process. Its keys, under the bot's hash tag like every key of this
// package:
//
//	herald:{42}:limit:pause          string "1"; PX = the pause left after a 429 without a chat
//	herald:{42}:limit:pause:<chat>   the same, for a 429 to a call into <chat>
//	herald:{42}:limit:global         theoretical arrival time in µs of the server clock; PX = until idle
//	herald:{42}:limit:paid           the same, for paid broadcasts
//	herald:{42}:limit:chat:<chat>    the same, per chat (<chat> is the id, or @username in lower case)
//	herald:{42}:limit:group:<chat>   the same, per group, supergroup or channel
//
// Keys expire when their bucket is idle, so Redis holds only recently
// active chats.
type LimiterStore struct {
	client goredis.UniversalClient
	base   string // "<prefix>:{<bot>}:limit:"
	pause  string
}

var _ backend.LimitStore = (*LimiterStore)(nil)

// NewLimiterStore returns the limiter state of the bot botID on client.
// Only opts.Prefix applies. The store does not own the client.
func NewLimiterStore(client goredis.UniversalClient, botID int64, opts Options) *LimiterStore {
	base := string(appendBotBase(nil, cmp.Or(opts.Prefix, DefaultPrefix)+":", botID)) + "limit:"
	return &LimiterStore{client: client, base: base, pause: base + "pause"}
}

// bucketKey returns the key of b.
func (s *LimiterStore) bucketKey(b backend.LimitBucket) string {
	switch b.Scope {
	case backend.ScopeChat, backend.ScopeGroup:
		return s.base + b.Scope.String() + ":" + b.Chat.String()
	}
	return s.base + b.Scope.String()
}

// pauseKey returns the key of chat's pause, or the bot's for the zero
// ChatID.
func (s *LimiterStore) pauseKey(chat tg.ChatID) string {
	if chat.IsZero() {
		return s.pause
	}
	return s.pause + ":" + chat.String()
}

// Take implements backend.LimitStore.
func (s *LimiterStore) Take(ctx context.Context, r *backend.LimitRequest) (backend.LimitVerdict, error) {
	keys := make([]string, 1, 2+len(r.Buckets))
	keys[0] = s.pause
	if !r.Chat.IsZero() {
		keys = append(keys, s.pauseKey(r.Chat))
	}
	np := len(keys)
	args := make([]any, 2, 2+2*len(r.Buckets))
	args[0], args[1] = max(r.N, 1), np
	for _, b := range r.Buckets {
		keys = append(keys, s.bucketKey(b))
		args = append(args, micros(b.Rate.Interval()), b.Rate.BurstSize())
	}
	res, err := takeScript.Run(ctx, s.client, keys, args...).Int64Slice()
	if err != nil {
		return backend.LimitVerdict{}, fmt.Errorf("backend/redis: limiter take %s: %w", keys[len(keys)-1], err)
	}
	if len(res) != 2 {
		return backend.LimitVerdict{}, fmt.Errorf("backend/redis: limiter take: unexpected answer %v", res)
	}
	wait, which := time.Duration(res[0])*time.Microsecond, int(res[1])
	if wait <= 0 {
		return backend.LimitVerdict{}, nil
	}
	v := backend.LimitVerdict{Wait: wait, Scope: backend.ScopePause}
	switch i := which - 1 - np; {
	case which == 2 && np == 2:
		v.Scope = backend.ScopeChatPause
	case i >= 0 && i < len(r.Buckets):
		v.Scope = r.Buckets[i].Scope
	}
	return v, nil
}

// Pause implements backend.LimitStore.
func (s *LimiterStore) Pause(ctx context.Context, chat tg.ChatID, d time.Duration) error {
	ms := max(millis(d), 1)
	key := s.pauseKey(chat)
	if err := pauseScript.Run(ctx, s.client, []string{key}, ms).Err(); err != nil {
		return fmt.Errorf("backend/redis: limiter pause %s: %w", key, err)
	}
	return nil
}

// micros converts d to whole microseconds, rounding up.
func micros(d time.Duration) int64 {
	return int64((d + time.Microsecond - 1) / time.Microsecond)
}
