package redis

import goredis "github.com/redis/go-redis/v9"

// The journal's scripts. An entry is a stream entry with the fields
// update_id, key, update and, when not empty, meta; a dead letter is one
// in the dead stream with those fields followed by entry (the entry's id),
// partition, deliveries and reason.

// journalLua is the Lua the scripts that move entries share.
const journalLua = `
local function fieldmap(flat)
  local m = {}
  for i = 1, #flat, 2 do m[flat[i]] = flat[i + 1] end
  return m
end
local function nogroup(r)
  return type(r) == 'table' and r.err and string.find(r.err, 'NOGROUP', 1, true)
end
local function bury(stream, dead, group, id, flat, p, deliveries, reason)
  local args = {'XADD', dead, '*'}
  for i = 1, #flat do args[#args + 1] = flat[i] end
  for _, v in ipairs({'entry', id, 'partition', p, 'deliveries', deliveries, 'reason', reason}) do
    args[#args + 1] = v
  end
  redis.call(unpack(args))
  redis.call('XACK', stream, group, id)
  redis.call('XDEL', stream, id)
end
`

// journalAppendScript adds a batch, skipping update ids seen before.
//
//	KEYS[1..m]  the partition streams the batch touches
//	KEYS[m+1..] the seen keys of its positive update ids
//	ARGV[1]     m  ARGV[2]  the seen keys' ttl in milliseconds
//	then 6 per entry: stream index, seen key index (0: none), update_id,
//	key, update, meta ("" for none)
//
// Returns how many entries were added. The types are checked first so
// that a key of another type fails the batch before anything is written.
var journalAppendScript = goredis.NewScript(`
local m = tonumber(ARGV[1])
for i = 1, m do
  local t = redis.call('TYPE', KEYS[i]).ok
  if t ~= 'stream' and t ~= 'none' then
    return redis.error_reply('WRONGTYPE ' .. KEYS[i] .. ' is a ' .. t)
  end
end
local added = 0
for a = 3, #ARGV, 6 do
  local seen = tonumber(ARGV[a + 1])
  if seen == 0 or redis.call('SET', KEYS[seen], '1', 'NX', 'PX', ARGV[2]) then
    local k = KEYS[tonumber(ARGV[a])]
    if ARGV[a + 5] == '' then
      redis.call('XADD', k, '*', 'update_id', ARGV[a + 2], 'key', ARGV[a + 3], 'update', ARGV[a + 4])
    else
      redis.call('XADD', k, '*', 'update_id', ARGV[a + 2], 'key', ARGV[a + 3], 'update', ARGV[a + 4], 'meta', ARGV[a + 5])
    end
    added = added + 1
  end
end
return added
`)

// journalOwnScript takes or renews a partition lease.
//
//	KEYS[1]  lease key  ARGV[1]  owner  ARGV[2]  lease in milliseconds
//
// Returns 1 when owner holds the lease, 0 when another owner does.
var journalOwnScript = goredis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`)

// journalReadScript delivers up to max new entries to owner, stream by
// stream, creating the group (from the start of the stream) where it is
// missing.
//
//	KEYS     the streams, in the order to read them
//	ARGV[1]  group  ARGV[2]  owner  ARGV[3]  max
//	ARGV[3+i]  the id of the last entry of KEYS[i] handed to owner: its
//	         pending entries after it (a lost reply's) come first
//
// Returns {1, {i, entries, i, entries, ...}} (i: the stream's index in
// KEYS) when it delivered something, else {0, ids}: the last entry id of
// each stream ("0-0" when empty), after which a waiter looks for new
// entries.
var journalReadScript = goredis.NewScript(journalLua + `
local left = tonumber(ARGV[3])
local out = {}
for i, k in ipairs(KEYS) do
  if left <= 0 then break end
  local got = {}
  local r = redis.pcall('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', left, 'STREAMS', k, ARGV[3 + i])
  if nogroup(r) then
    redis.call('XGROUP', 'CREATE', k, ARGV[1], '0', 'MKSTREAM')
  elseif type(r) == 'table' and r.err then
    return r
  elseif r then
    for _, e in ipairs(r[1][2]) do
      if e[2] then got[#got + 1] = e else redis.call('XACK', k, ARGV[1], e[1]) end
    end
  end
  if #got == 0 then
    r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', left, 'STREAMS', k, '>')
    if r then got = r[1][2] end
  end
  if #got > 0 then
    out[#out + 1] = i
    out[#out + 1] = got
    left = left - #got
  end
end
if #out > 0 then return {1, out} end
local last = {}
for i, k in ipairs(KEYS) do
  local r = redis.call('XREVRANGE', k, '+', '-', 'COUNT', 1)
  last[i] = r[1] and r[1][1] or '0-0'
end
return {0, last}
`)

// journalReclaimScript hands owner a batch of a partition's pending
// entries with XAUTOCLAIM (min-idle 0), burying those delivered too often.
//
//	KEYS[1]  stream  KEYS[2]  dead stream
//	ARGV[1]  group  ARGV[2]  owner  ARGV[3]  cursor  ARGV[4]  count
//	ARGV[5]  max deliveries (0: no limit)  ARGV[6]  partition
//	ARGV[7…] the keys whose oldest entry earlier batches already counted
//
// Only the oldest pending entry of each key counts a delivery (the
// others were read ahead and never started; XAUTOCLAIM's count is set
// back with XCLAIM RETRYCOUNT), and only it is buried when it was
// delivered max times already. Returns {next cursor, {id, deliveries,
// fields, ...}, buried, {keys counted by this batch}}. Entries
// deleted while pending leave the pending list. On the last batch
// (cursor "0-0") the group's other consumers with nothing pending are
// deleted, so that the names of past owners do not pile up.
var journalReclaimScript = goredis.NewScript(journalLua + `
local stream, group, owner = KEYS[1], ARGV[1], ARGV[2]
local r = redis.pcall('XAUTOCLAIM', stream, group, owner, 0, ARGV[3], 'COUNT', ARGV[4])
if nogroup(r) then
  redis.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
  return {'0-0', {}, 0, {}}
elseif r.err then
  return r
end
local first, last, n = nil, nil, 0
for _, e in ipairs(r[2]) do
  if e[2] then
    first = first or e[1]
    last, n = e[1], n + 1
  end
end
local counts = {}
if n > 0 then
  for _, p in ipairs(redis.call('XPENDING', stream, group, first, last, n, owner)) do
    counts[p[1]] = p[4]
  end
end
local charged, fresh = {}, {}
for i = 7, #ARGV do charged[ARGV[i]] = true end
local max, out, buried = tonumber(ARGV[5]), {}, 0
for _, e in ipairs(r[2]) do
  if not e[2] then
    redis.call('XACK', stream, group, e[1])
  else
    local d = counts[e[1]] or 1
    local key = fieldmap(e[2]).key
    if charged[key] then
      -- Not its key's oldest: read ahead, never started. XAUTOCLAIM
      -- counted a delivery; take it back.
      d = math.max(d - 1, 1)
      redis.call('XCLAIM', stream, group, owner, 0, e[1], 'RETRYCOUNT', d, 'JUSTID')
      out[#out + 1] = e[1]
      out[#out + 1] = d
      out[#out + 1] = e[2]
    else
      charged[key] = true
      fresh[#fresh + 1] = key
      if max > 0 and d > max then
        bury(stream, KEYS[2], group, e[1], e[2], ARGV[6], d - 1,
          'delivered ' .. (d - 1) .. ' times without an acknowledgement')
        buried = buried + 1
      else
        out[#out + 1] = e[1]
        out[#out + 1] = d
        out[#out + 1] = e[2]
      end
    end
  end
end
for _, id in ipairs(r[3] or {}) do redis.call('XACK', stream, group, id) end
if r[1] == '0-0' then
  for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', stream, group)) do
    local f = fieldmap(c)
    if f.name ~= owner and f.pending == 0 then
      redis.call('XGROUP', 'DELCONSUMER', stream, group, f.name)
    end
  end
end
return {r[1], out, buried, fresh}
`)

// journalAckScript acknowledges and deletes entries.
//
//	KEYS     the streams
//	ARGV[1]  group, then for each stream: the number of ids, the ids
var journalAckScript = goredis.NewScript(`
local a = 2
for _, k in ipairs(KEYS) do
  local n = tonumber(ARGV[a])
  for i = a + 1, a + n, 500 do
    local ids = {unpack(ARGV, i, math.min(i + 499, a + n))}
    redis.call('XACK', k, ARGV[1], unpack(ids))
    redis.call('XDEL', k, unpack(ids))
  end
  a = a + n + 1
end
return 0
`)

// journalBuryScript moves one entry to the dead stream.
//
//	KEYS[1]  stream  KEYS[2]  dead stream
//	ARGV[1]  group  ARGV[2]  entry id  ARGV[3]  partition  ARGV[4]  reason
//
// Returns 1 when buried, 0 when the entry is not there.
var journalBuryScript = goredis.NewScript(journalLua + `
local e = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if #e == 0 then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  return 0
end
local d = 0
local p = redis.pcall('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if not p.err and p[1] then d = p[1][4] end
bury(KEYS[1], KEYS[2], ARGV[1], ARGV[2], e[1][2], ARGV[3], d, ARGV[4])
return 1
`)

// journalRequeueScript appends dead letters to their partitions again.
//
//	KEYS[1]  dead stream  KEYS[2..n+1]  the partition streams, in order
//	ARGV     dead letter ids
//
// Returns how many were requeued; unknown ids are skipped.
var journalRequeueScript = goredis.NewScript(journalLua + `
local n = 0
for _, id in ipairs(ARGV) do
  local e = redis.call('XRANGE', KEYS[1], id, id)
  local f = e[1] and fieldmap(e[1][2])
  local k = f and KEYS[(tonumber(f.partition) or -2) + 2]
  if k then
    if f.meta then
      redis.call('XADD', k, '*', 'update_id', f.update_id, 'key', f.key, 'update', f.update, 'meta', f.meta)
    else
      redis.call('XADD', k, '*', 'update_id', f.update_id, 'key', f.key, 'update', f.update)
    end
    redis.call('XDEL', KEYS[1], id)
    n = n + 1
  end
end
return n
`)
