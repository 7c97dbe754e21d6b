package redis

import goredis "github.com/redis/go-redis/v9"

// takeScript is the limiter's GCRA over several buckets, all or nothing,
// on the server's clock, after the pauses. Times are microseconds.
//
//	KEYS[1..np]   the pause keys: the bot's, then the chat's (its PTTL is
//	              the pause left)
//	KEYS[np+j]    bucket j's key, holding its theoretical arrival time
//	ARGV[1]       n, the messages the call posts
//	ARGV[2]       np, the number of pause keys (1 or 2)
//	ARGV[2j+1], ARGV[2j+2]  interval and burst of bucket j
//
// It answers {0, 0} when every bucket took n, else {wait, i}: the longest
// wait and the index of the key that needs it.
var takeScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[1])
local np = tonumber(ARGV[2])
local wait, which = 0, 0
for i = 1, np do
  local pause = redis.call('PTTL', KEYS[i]) * 1000
  if pause > wait then
    wait, which = pause, i
  end
end
local tats = {}
for i = np + 1, #KEYS do
  local j = i - np
  local interval = tonumber(ARGV[2 * j + 1])
  local burst = tonumber(ARGV[2 * j + 2])
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
for i = np + 1, #KEYS do
  local tat = tats[i] + n * tonumber(ARGV[2 * (i - np) + 1])
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
