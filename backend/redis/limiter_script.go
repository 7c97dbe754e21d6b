package redis

import goredis "github.com/redis/go-redis/v9"

// takeScript is the limiter's GCRA over several buckets, all or nothing,
// on the server's clock. Times are microseconds.
//
//	KEYS[1]    the pause key (its PTTL is the pause left)
//	KEYS[2..]  bucket keys, each holding its theoretical arrival time
//	ARGV[1]    n, the messages the call posts
//	ARGV[2i-2], ARGV[2i-1]  interval and burst of KEYS[i]
//
// It answers {0, 0} when every bucket took n, else {wait, i}: the longest
// wait and the index of the key that needs it (1 for the pause).
var takeScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[1])
local wait, which = 0, 0
local pause = redis.call('PTTL', KEYS[1])
if pause > 0 then
  wait, which = pause * 1000, 1
end
local tats = {}
for i = 2, #KEYS do
  local interval = tonumber(ARGV[2 * i - 2])
  local burst = tonumber(ARGV[2 * i - 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
  if tat < now then
    tat = now
  end
  tats[i] = tat
  local w = tat + (math.min(n, burst) - burst) * interval - now
  if w > wait then
    wait, which = w, i
  end
end
if wait > 0 then
  return {math.ceil(wait), which}
end
for i = 2, #KEYS do
  local tat = tats[i] + n * tonumber(ARGV[2 * i - 2])
  redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
end
return {0, 0}
`)

// pauseScript extends the pause key to ARGV[1] ms from now, never
// shortening it.
var pauseScript = goredis.NewScript(`
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then
  redis.call('SET', KEYS[1], '1', 'PX', ms)
end
return 0
`)
