package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/heraldbot/herald/backend"
	goredis "github.com/redis/go-redis/v9"
)

// A record is a hash with the fields
//
//	s  state (always present)
//	d  data (absent when Record.Data is nil)
//	v  version, a decimal integer >= 1
//
// and a TTL when it was written with one.

// casScript stores state and data if the version matches, in one step.
//
//	KEYS[1]  record key
//	ARGV[1]  expected version (0: the key must not exist)
//	ARGV[2]  state
//	ARGV[3]  data
//	ARGV[4]  "1" when data is present, "0" for nil data
//	ARGV[5]  ttl in milliseconds, 0 for no expiry
//
// Returns the new version, -1 on a version conflict, -2 when the stored
// version is not a number.
var casScript = goredis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 'v')
local v = 0
if cur then
  v = tonumber(cur)
  if v == nil then return -2 end
elseif redis.call('EXISTS', KEYS[1]) == 1 then
  return -2
end
if v ~= tonumber(ARGV[1]) then return -1 end
v = v + 1
redis.call('HSET', KEYS[1], 's', ARGV[2], 'v', v)
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], 'd', ARGV[3])
else
  redis.call('HDEL', KEYS[1], 'd')
end
local ttl = tonumber(ARGV[5])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
else
  redis.call('PERSIST', KEYS[1])
end
return v
`)

// Get returns the record of key, or a Record with Version 0 when there is
// none. A value that is not a well-formed record gives an error wrapping
// backend.ErrCorrupt; Delete clears it.
func (s *Store) Get(ctx context.Context, key backend.Key) (backend.Record, error) {
	k := s.recordKey(key)
	vals, err := s.client.HMGet(ctx, k, "s", "d", "v").Result()
	if err != nil {
		return backend.Record{}, recordError("get", k, err)
	}
	return parseRecord(k, vals)
}

// recordError wraps the error of operation op on the record key k,
// reporting a key of another type as backend.ErrCorrupt.
func recordError(op, k string, err error) error {
	if isWrongType(err) {
		err = fmt.Errorf("%w: the key holds a value that is not a record", backend.ErrCorrupt)
	}
	return opError(op, k, err)
}

// parseRecord reads the HMGET s d v reply.
func parseRecord(k string, vals []any) (backend.Record, error) {
	if len(vals) != 3 {
		return backend.Record{}, opError("get", k, fmt.Errorf("HMGET returned %d values, want 3", len(vals)))
	}
	sv, sok := vals[0].(string)
	dv, dok := vals[1].(string)
	vv, vok := vals[2].(string)
	if !vok {
		if vals[0] == nil && vals[1] == nil {
			return backend.Record{}, nil // no record
		}
		return backend.Record{}, opError("get", k, fmt.Errorf("%w: record has no version", backend.ErrCorrupt))
	}
	ver, err := strconv.ParseInt(vv, 10, 64)
	if err != nil || ver < 1 {
		return backend.Record{}, opError("get", k, fmt.Errorf("%w: bad version %q", backend.ErrCorrupt, vv))
	}
	if !sok && vals[0] != nil {
		return backend.Record{}, opError("get", k, fmt.Errorf("%w: bad state", backend.ErrCorrupt))
	}
	rec := backend.Record{State: sv, Version: ver}
	if dok {
		rec.Data = []byte(dv)
	}
	return rec, nil
}

// CompareAndSet stores rec.State and rec.Data for key if the stored version
// equals expect (0: the key must not exist) and returns expect+1; otherwise
// it returns backend.ErrConflict and changes nothing. ttl > 0 sets the key's
// time to live (PEXPIRE, millisecond precision, rounded up); ttl == 0 makes
// the record permanent. The check, the write and the expiry are one Lua
// script, so they are atomic.
func (s *Store) CompareAndSet(ctx context.Context, key backend.Key, expect int64, rec backend.Record, ttl time.Duration) (int64, error) {
	k := s.recordKey(key)
	if err := checkTTL("set", k, ttl); err != nil {
		return 0, err
	}
	if expect < 0 {
		return 0, opError("set", k, fmt.Errorf("negative expected version %d", expect))
	}
	hasData := "0"
	if rec.Data != nil {
		hasData = "1"
	}
	v, err := casScript.Run(ctx, s.client, []string{k}, expect, rec.State, rec.Data, hasData, millis(ttl)).Int64()
	switch {
	case err != nil:
		return 0, recordError("set", k, err)
	case v == -1:
		return 0, backend.ErrConflict
	case v == -2:
		return 0, opError("set", k, fmt.Errorf("%w: bad version", backend.ErrCorrupt))
	}
	return v, nil
}

// Delete removes the record of key, whatever its version or content.
func (s *Store) Delete(ctx context.Context, key backend.Key) error {
	k := s.recordKey(key)
	if err := s.client.Del(ctx, k).Err(); err != nil {
		return opError("delete", k, err)
	}
	return nil
}
