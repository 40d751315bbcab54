import { createHash } from 'node:crypto'

/**
 * The Lua scripts of the Redis store. Each runs atomically, so capacity checks, leases and retries
 * stay exact with any number of producer and worker processes.
 *
 * KEYS are always the four per-kind streams (events, people, groups, imports) first, then the
 * delayed sorted set, then the meta hash (`bytes` held, `seq` counter). Entry ids are `0-<seq>`
 * from one counter shared by the four streams, so ids order messages across kinds (an id with a
 * time part would tie between streams within one millisecond). Stream entries hold `i` (message id), `j` (wire
 * JSON), `c` (createdAt), `b` (bytes) and `a` (attempts). A delayed member is
 * `kind,attempts,createdAt,bytes,entryId,idLength:` followed by the id and the JSON.
 */
export interface RedisScript {
  readonly lua: string
  readonly sha: string
}

const PRELUDE = `
local group = ARGV[1]
local function fields(arr)
  local t = {}
  for i = 1, #arr, 2 do t[arr[i]] = arr[i + 1] end
  return t
end
local function idLess(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, bm = tonumber(am), tonumber(bm)
  if am ~= bm then return am < bm end
  return tonumber(as) < tonumber(bs)
end
-- The group's last-delivered id (read once per script run: scripts read the group at most once,
-- at their end); creates the stream and the group when missing.
local lastIds = {}
local function ensure(key)
  if lastIds[key] then return lastIds[key] end
  local last = '0-0'
  if redis.call('EXISTS', key) == 0 then
    redis.call('XGROUP', 'CREATE', key, group, '0', 'MKSTREAM')
  else
    local found = false
    for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
      local info = fields(g)
      if info['name'] == group then
        last = info['last-delivered-id']
        found = true
      end
    end
    if not found then redis.call('XGROUP', 'CREATE', key, group, '0') end
  end
  lastIds[key] = last
  return last
end
local function firstUndelivered(key)
  return redis.call('XRANGE', key, '(' .. ensure(key), '+', 'COUNT', 1)[1]
end
local function nextId()
  return '0-' .. redis.call('HINCRBY', KEYS[6], 'seq', 1)
end
-- A delayed member's fields; nil for a member not in that format (damaged, or written by
-- something else). Time and bytes are checked by whoever reads them.
local function parseDelayed(m)
  local k, a, c, b, eid, n, rest = string.match(m, '^(%d+),(%d+),([^,]*),([^,]*),([^,]+),(%d+):(.*)$')
  k, n = tonumber(k), tonumber(n)
  if k == nil or k < 1 or k > 4 or n > #rest then return nil end
  return k, a, c, b, string.sub(rest, 1, n), string.sub(rest, n + 1)
end
-- An entry's fields in lease order; a missing field is '' (the store sets such entries apart).
local function entryFields(id, f)
  return { id, f.i or '', f.j or '', f.c or '', f.b or '', f.a or '' }
end
`

/** ARGV: group, capacity, maxBytes, policy, then (kind, id, json, createdAt, bytes) per message. */
const ADD = `
local capacity, maxBytes, policy = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local count = redis.call('ZCARD', KEYS[5])
for k = 1, 4 do count = count + redis.call('XLEN', KEYS[k]) end
local bytes = tonumber(redis.call('HGET', KEYS[6], 'bytes') or '0')
local function fits(b) return count < capacity and bytes + b <= maxBytes end
local function evictOldest()
  local best, bestK
  for k = 1, 4 do
    local e = firstUndelivered(KEYS[k])
    if e and (best == nil or idLess(e[1], best[1])) then best, bestK = e, k end
  end
  if best == nil then return nil end
  redis.call('XDEL', KEYS[bestK], best[1])
  local f = fields(best[2])
  count = count - 1
  bytes = bytes - (tonumber(f.b) or 0)
  return { bestK, f.i or '', f.j or '', f.c or '', f.b or '' }
end
local out = {}
for i = 5, #ARGV, 5 do
  local k, b = tonumber(ARGV[i]), tonumber(ARGV[i + 4])
  local evicted = {}
  if not fits(b) then
    if policy == 'block' and b <= maxBytes then break end
    if policy == 'drop-oldest' and b <= maxBytes then
      while not fits(b) do
        local e = evictOldest()
        if e == nil then break end
        table.insert(evicted, e)
      end
    end
  end
  local stored = 0
  if fits(b) then
    redis.call('XADD', KEYS[k], nextId(), 'i', ARGV[i + 1], 'j', ARGV[i + 2], 'c', ARGV[i + 3], 'b', ARGV[i + 4], 'a', '0')
    count = count + 1
    bytes = bytes + b
    stored = 1
  end
  table.insert(out, stored)
  table.insert(out, #evicted)
  for _, e in ipairs(evicted) do
    for _, v in ipairs(e) do table.insert(out, v) end
  end
end
redis.call('HSET', KEYS[6], 'bytes', string.format('%d', bytes))
return out
`

/**
 * ARGV: group, consumer, now, leaseMs, maxCount, maxBytes, kind (0: the kind of the oldest ready
 * message). Returns { kind, (entryId, id, json, createdAt, bytes, attempts)... } or {}.
 */
const LEASE = `
local consumer, now, leaseMs = ARGV[2], ARGV[3], tonumber(ARGV[4])
local maxCount, maxBytes, kind = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, 1000)) do
  local k, a, c, b, id, json = parseDelayed(m)
  if k then
    redis.call('XADD', KEYS[k], nextId(), 'i', id, 'j', json, 'c', c, 'b', b, 'a', a)
  else
    -- Unreadable: into the first stream as an entry without a message, which a lease sets apart.
    redis.call('XADD', KEYS[1], nextId(), 'x', 'unreadable retry')
  end
  redis.call('ZREM', KEYS[5], m)
end
for k = 1, 4 do ensure(KEYS[k]) end
local function oldestId(key)
  local best
  local p = redis.call('XPENDING', key, group, 'IDLE', leaseMs, '-', '+', 1)[1]
  if p then best = p[1] end
  local e = firstUndelivered(key)
  if e and (best == nil or idLess(e[1], best)) then best = e[1] end
  return best
end
if kind == 0 then
  local bestId
  for k = 1, 4 do
    local id = oldestId(KEYS[k])
    if id and (bestId == nil or idLess(id, bestId)) then bestId, kind = id, k end
  end
  if kind == 0 then return {} end
end
local key = KEYS[kind]
local out = { kind }
local n, used = 0, 0
local function push(id, f)
  n = n + 1
  used = used + (tonumber(f.b) or 0)
  for _, v in ipairs(entryFields(id, f)) do table.insert(out, v) end
end
-- Lapsed leases (a dead or slow worker's messages) are older than anything undelivered: first.
local claimed = redis.call('XAUTOCLAIM', key, group, consumer, leaseMs, '0-0', 'COUNT', maxCount)[2]
for _, e in ipairs(claimed) do
  local f = fields(e[2])
  if n < maxCount and (n == 0 or used + (tonumber(f.b) or 0) <= maxBytes) then
    push(e[1], f)
  else
    -- Claimed beyond the limits: hand it back, reclaimable at once by anyone.
    redis.call('XCLAIM', key, group, consumer, 0, e[1], 'IDLE', '1000000000000', 'JUSTID')
  end
end
if n < maxCount then
  local take = 0
  local peek = redis.call('XRANGE', key, '(' .. ensure(key), '+', 'COUNT', maxCount - n)
  for _, e in ipairs(peek) do
    local b = tonumber(fields(e[2]).b) or 0
    if n + take > 0 and used + b > maxBytes then break end
    take = take + 1
    used = used + b
  end
  if take > 0 then
    local read = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', take, 'STREAMS', key, '>')
    if read and read[1] then
      for _, e in ipairs(read[1][2]) do
        local f = fields(e[2])
        n = n + 1
        for _, v in ipairs(entryFields(e[1], f)) do table.insert(out, v) end
      end
    end
  end
end
if n == 0 then return {} end
return out
`

/** ARGV: group, then (kind, entryId, bytes) per message. Returns the bytes freed. */
const ACK = `
local freed = 0
for i = 2, #ARGV, 3 do
  local key = KEYS[tonumber(ARGV[i])]
  redis.call('XACK', key, group, ARGV[i + 1])
  freed = freed + redis.call('XDEL', key, ARGV[i + 1]) * tonumber(ARGV[i + 2])
end
if freed > 0 then redis.call('HINCRBY', KEYS[6], 'bytes', -freed) end
-- Empty, the store holds 0 bytes, also after removing entries whose size was unreadable.
local count = redis.call('ZCARD', KEYS[5])
for k = 1, 4 do count = count + redis.call('XLEN', KEYS[k]) end
if count == 0 then redis.call('HSET', KEYS[6], 'bytes', '0') end
return freed
`

/**
 * ARGV: group, consumer, notBefore, then (kind, entryId) per message. Moves messages this consumer
 * still holds to the delayed set, counting the attempt; returns how many moved.
 */
const RELEASE = `
local consumer, notBefore = ARGV[2], ARGV[3]
local moved = 0
for i = 4, #ARGV, 2 do
  local k, id = tonumber(ARGV[i]), ARGV[i + 1]
  local key = KEYS[k]
  local p = redis.call('XPENDING', key, group, id, id, 1)[1]
  if p and p[2] == consumer then
    local e = redis.call('XRANGE', key, id, id)[1]
    redis.call('XACK', key, group, id)
    if e then
      redis.call('XDEL', key, id)
      local f = fields(e[2])
      local attempts, size = (tonumber(f.a) or 0) + 1, string.format('%d', tonumber(f.b) or 0)
      local member = k .. ',' .. attempts .. ',' .. f.c .. ',' .. size .. ',' .. id .. ',' .. #f.i .. ':' .. f.i .. f.j
      redis.call('ZADD', KEYS[5], notBefore, member)
      moved = moved + 1
    end
  end
end
return moved
`

/** ARGV: group, now. Returns { count, bytes, leased, ready, oldestReadyAt | '', nextRetryAt | '' }. */
const SIZE = `
local now = tonumber(ARGV[2])
local count, leased = redis.call('ZCARD', KEYS[5]), 0
local oldest
for k = 1, 4 do
  local key = KEYS[k]
  count = count + redis.call('XLEN', key)
  local e = firstUndelivered(key)
  leased = leased + redis.call('XPENDING', key, group)[1]
  local c = e and tonumber(fields(e[2]).c)
  if c and (oldest == nil or c < oldest) then oldest = c end
end
local due = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, 1)[1]
if due then
  local _, _, c = parseDelayed(due)
  c = tonumber(c)
  if c and (oldest == nil or c < oldest) then oldest = c end
end
local notDue = redis.call('ZCOUNT', KEYS[5], '(' .. now, '+inf')
local nextRetry = redis.call('ZRANGEBYSCORE', KEYS[5], '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)[2]
local bytes = redis.call('HGET', KEYS[6], 'bytes') or '0'
return { count, bytes, leased, count - leased - notDue, oldest and string.format('%d', oldest) or '', nextRetry or '' }
`

/**
 * ARGV: group, consumer, staleMs. Makes this consumer's pending messages reclaimable at once,
 * removes it from the group when it holds nothing, and removes other consumers idle for longer
 * than staleMs that hold nothing (workers that died long ago).
 */
const CLOSE = `
local consumer, staleMs = ARGV[2], tonumber(ARGV[3])
for k = 1, 4 do
  local key = KEYS[k]
  if redis.call('EXISTS', key) == 1 then
    ensure(key)
    local mine = redis.call('XPENDING', key, group, '-', '+', 10000, consumer)
    for _, p in ipairs(mine) do
      redis.call('XCLAIM', key, group, consumer, 0, p[1], 'IDLE', '1000000000000', 'JUSTID')
    end
    for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', key, group)) do
      local info = fields(c)
      if info['pending'] == 0 and (info['name'] == consumer or info['idle'] > staleMs) then
        redis.call('XGROUP', 'DELCONSUMER', key, group, info['name'])
      end
    end
  end
end
return 1
`

function script(body: string): RedisScript {
  const lua = PRELUDE + body
  return { lua, sha: createHash('sha1').update(lua).digest('hex') }
}

/** The scripts, with their SHA1 for EVALSHA. */
export const REDIS_SCRIPTS = {
  add: script(ADD),
  lease: script(LEASE),
  ack: script(ACK),
  release: script(RELEASE),
  size: script(SIZE),
  close: script(CLOSE),
}
