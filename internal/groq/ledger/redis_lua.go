package ledger

import "github.com/redis/go-redis/v9"

// luaCommon mirrors budget.go: the same arithmetic on the same fields.
// Hash fields: cu cn (cooldown until, unit), ml mt (RPM limit, GCRA tat),
// dl dv dt (RPD limit, level, reading time), tl tv tt (TPM), ft fc (in-flight
// tokens and count), r:<id> (tokens of in-flight lease id), s:<id> (tokens of
// a lease a header truth already includes). The zset holds lease expiries.
const luaCommon = `
local DAY, MIN, KEEP = 86400000, 60000, 172800000
local F = {'cu','cn','ml','mt','dl','dv','dt','tl','tv','tt','ft','fc'}
local function load(h)
  local v = redis.call('HMGET', h, unpack(F))
  local b = {}
  for i, f in ipairs(F) do
    if f == 'cn' then b[f] = v[i] or '' else b[f] = tonumber(v[i]) or 0 end
  end
  return b
end
local function lvl(limit, v, ts, now, win)
  if limit <= 0 then return 0 end
  if now > ts then v = v + (now - ts) * limit / win end
  return math.min(v, limit)
end
local function fill(limit, l, target, now, win)
  if l >= target or limit <= 0 then return now end
  return now + math.ceil((target - l) * win / limit)
end
local function drop(h, z, id)
  local t = redis.call('HGET', h, 'r:' .. id)
  if t then
    redis.call('HDEL', h, 'r:' .. id)
    redis.call('ZREM', z, id)
    redis.call('HINCRBY', h, 'ft', -tonumber(t))
    redis.call('HINCRBY', h, 'fc', -1)
    return tonumber(t), false
  end
  t = redis.call('HGET', h, 's:' .. id)
  if t then
    redis.call('HDEL', h, 's:' .. id)
    redis.call('ZREM', z, id)
    return tonumber(t), true
  end
  return nil, false
end
local function settle(h, id)
  local t = redis.call('HGET', h, 'r:' .. id)
  if not t then return end
  redis.call('HDEL', h, 'r:' .. id)
  redis.call('HSET', h, 's:' .. id, t)
  redis.call('HINCRBY', h, 'ft', -tonumber(t))
  redis.call('HINCRBY', h, 'fc', -1)
end
local function purge(h, z, now)
  local ids = redis.call('ZRANGEBYSCORE', z, '-inf', now)
  for _, id in ipairs(ids) do drop(h, z, id) end
end
local function gcra(limit)
  local interval = math.floor(MIN / limit)
  return interval, MIN - interval
end
local function room(b, tokens, now)
  local at, score = now, 1
  if b.cu > at then at = b.cu end
  if b.ml > 0 then
    local interval, tol = gcra(b.ml)
    local tat = math.max(b.mt, now)
    if tat - now > tol then at = math.max(at, tat - tol) end
    score = math.min(score, (tol - (tat - now)) / (interval * b.ml))
  end
  if b.dl > 0 then
    local avail = lvl(b.dl, b.dv, b.dt, now, DAY) - b.fc
    at = math.max(at, fill(b.dl, avail, 1, now, DAY))
    score = math.min(score, avail / b.dl)
  end
  if b.tl > 0 then
    local need = math.min(tokens, b.tl)
    local avail = lvl(b.tl, b.tv, b.tt, now, MIN) - b.ft
    at = math.max(at, fill(b.tl, avail, need, now, MIN))
    score = math.min(score, avail / b.tl)
  end
  return at, score
end
local function touch(h, z, set, name)
  redis.call('PEXPIRE', h, KEEP)
  redis.call('PEXPIRE', z, KEEP)
  redis.call('SADD', set, name)
end
`

// acquireScript: KEYS = h1, z1, h2, z2, ..., budgets set;
// ARGV = now, tokens, id, ttl, preferIndex (1-based, 0 = none), name1, name2, ...
// Returns {index (0 = none), retry_at}.
var acquireScript = redis.NewScript(luaCommon + `
local now, tokens, id, ttl, prefer = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local n = (#KEYS - 1) / 2
local best, bestScore, soonest = 0, -1, 0
local bestB
for i = 1, n do
  local h, z = KEYS[2*i-1], KEYS[2*i]
  purge(h, z, now)
  local b = load(h)
  local at, score = room(b, tokens, now)
  if at > now then
    if soonest == 0 or at < soonest then soonest = at end
  elseif i == prefer then
    best, bestB = i, b
    break
  elseif score > bestScore then
    best, bestScore, bestB = i, score, b
  end
end
if best == 0 then
  if soonest == 0 then soonest = now end
  return {0, soonest}
end
local h, z = KEYS[2*best-1], KEYS[2*best]
if bestB.ml > 0 then
  local interval = gcra(bestB.ml)
  redis.call('HSET', h, 'mt', math.max(bestB.mt, now) + interval)
end
redis.call('HSET', h, 'r:' .. id, tokens)
redis.call('ZADD', z, now + math.max(ttl, 1), id)
redis.call('HINCRBY', h, 'ft', tokens)
redis.call('HINCRBY', h, 'fc', 1)
touch(h, z, KEYS[#KEYS], ARGV[5 + best])
return {best, 0}
`)

// observeScript: KEYS = h, z, set; ARGV = now, id, tokens limit, tokens
// remaining, requests limit, requests remaining, name (limit 0 = absent).
var observeScript = redis.NewScript(luaCommon + `
local now = tonumber(ARGV[1])
purge(KEYS[1], KEYS[2], now)
settle(KEYS[1], ARGV[2])
local tl, dl = tonumber(ARGV[3]), tonumber(ARGV[5])
if tl > 0 then redis.call('HSET', KEYS[1], 'tl', tl, 'tv', ARGV[4], 'tt', now) end
if dl > 0 then redis.call('HSET', KEYS[1], 'dl', dl, 'dv', ARGV[6], 'dt', now) end
touch(KEYS[1], KEYS[2], KEYS[3], ARGV[7])
return 1
`)

// releaseScript: KEYS = h, z; ARGV = now, id, tokens, requests. A settled
// lease (s:<id>) gets its unused reservation credited back; an unsettled one
// (r:<id>) is charged its use.
var releaseScript = redis.NewScript(luaCommon + `
local now, tokens, requests = tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4])
purge(KEYS[1], KEYS[2], now)
local reserved, settled = drop(KEYS[1], KEYS[2], ARGV[2])
if not reserved then return 0 end
local b = load(KEYS[1])
if settled then
  if tokens > 0 and reserved > tokens and b.tl > 0 then
    local l = math.min(lvl(b.tl, b.tv, b.tt, now, MIN) + reserved - tokens, b.tl)
    redis.call('HSET', KEYS[1], 'tv', l, 'tt', now)
  end
  return 1
end
if tokens > 0 and b.tl > 0 then
  redis.call('HSET', KEYS[1], 'tv', lvl(b.tl, b.tv, b.tt, now, MIN) - tokens, 'tt', now)
end
if requests > 0 and b.dl > 0 then
  redis.call('HSET', KEYS[1], 'dv', lvl(b.dl, b.dv, b.dt, now, DAY) - requests, 'dt', now)
end
return 1
`)

// coolScript: KEYS = h, z, set; ARGV = until, unit, limit, name.
var coolScript = redis.NewScript(luaCommon + `
local untl, unit, limit = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local b = load(KEYS[1])
if untl > b.cu then redis.call('HSET', KEYS[1], 'cu', untl, 'cn', unit) end
if unit == 'RPM' and limit > 0 then
  local _, tol = gcra(limit)
  redis.call('HSET', KEYS[1], 'ml', limit, 'mt', math.max(b.mt, untl + tol))
end
touch(KEYS[1], KEYS[2], KEYS[3], ARGV[4])
return 1
`)

// readScript: KEYS = h, z; ARGV = now. Purges expired leases and returns
// the fields in the order of F.
var readScript = redis.NewScript(luaCommon + `
purge(KEYS[1], KEYS[2], tonumber(ARGV[1]))
return redis.call('HMGET', KEYS[1], unpack(F))
`)
