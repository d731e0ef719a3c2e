/**
 * The Lua scripts of the Redis session store (store.ts): each state change is
 * one script, so it is atomic across nodes. Key layout in keys.ts.
 */

// Each script touches the keys of one session only (one hash slot in a cluster).
export const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
return 1`;

// On a single Redis the creations asked during one event-loop turn are one script
// (see RedisStore.createOnOneRedis): each one the session, its user code's claim and,
// with a quota, the count of the client's creations (what rate-limiter-flexible's
// RateLimiterRedis does: SET NX with the window, INCR). In a Cluster the claim's and the
// counter's keys are in other slots, so there the claim goes out beside CREATE and the
// count is the rate limiter's own command.
// KEYS: per creation four: the session, its ttl marker, the user code's claim, the
// creation counter. ARGV[1]: per creation, in the same order, [ttl ms, ttl + retention ms,
// session id, true to claim the code, quota points (0: none), quota window ms, the
// fields as one object of strings], all as one JSON array: ioredis spends ~0.25 µs per
// argument on every call (Array.prototype.flat, then the RESP string). Returns two numbers
// per creation: 1 (saved), 0 (the id exists), 2 (the code is taken) or 3 (over the quota),
// then the ms left in the quota's window (else 0). Only a 1 wrote anything.
export const CREATE_ON_ONE_REDIS = `
local function create(session, ttl, claim, counter, c)
  if redis.call('EXISTS', session) == 1 then return 0, 0 end
  local points = c[5]
  if points > 0 then
    redis.call('SET', counter, '0', 'PX', c[6], 'NX')
    if redis.call('INCR', counter) > points then return 3, redis.call('PTTL', counter) end
  end
  if c[4] and not redis.call('SET', claim, c[3], 'PX', c[1], 'NX') then return 2, 0 end
  local fields = {}
  for field, value in pairs(c[7]) do
    fields[#fields + 1] = field
    fields[#fields + 1] = value
  end
  redis.call('HSET', session, unpack(fields))
  redis.call('PEXPIRE', session, c[2])
  redis.call('SET', ttl, '1', 'PX', c[1])
  return 1, 0
end
local results = {}
for i, c in ipairs(cjson.decode(ARGV[1])) do
  local k = (i - 1) * 4
  local result, msLeft = create(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], c)
  results[#results + 1] = result
  results[#results + 1] = msLeft
end
return results`;

export const FIND = `
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then return false end
table.insert(fields, '_live')
table.insert(fields, tostring(redis.call('EXISTS', KEYS[2])))
local sealed = redis.call('GET', KEYS[3])
if sealed then
  table.insert(fields, '_sealedAnswer')
  table.insert(fields, sealed)
end
return fields`;

// ARGV: expected version, '1' when the new state is final, retention ms, the
// sealed answer to keep ('' for none) and for how many ms, then field/value pairs.
// `version` goes up by HSET, never HINCRBY: keyspace listeners take an `hincrby`
// for an outside writer's change (redis/keyspace.ts) and skip our own echo.
export const UPDATE = `
local version = redis.call('HGET', KEYS[1], 'version')
if not version then return 'gone' end
if version ~= ARGV[1] or redis.call('EXISTS', KEYS[2]) == 0 then return 'conflict' end
redis.call('HSET', KEYS[1], 'version', tostring(tonumber(version) + 1), unpack(ARGV, 6))
if ARGV[2] == '1' then
  redis.call('DEL', KEYS[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[5]) end
return 'ok'`;
