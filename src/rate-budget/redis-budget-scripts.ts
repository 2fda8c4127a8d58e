/**
 * The Lua scripts of the Redis rolling budget. Each runs atomically in Redis and reads Redis's own
 * clock (`TIME`), so workers on machines whose clocks disagree still share one window.
 *
 * Data, per budget (one Redis Cluster hash slot: the `{…}` part of the keys):
 * - `<base>:slots`, a sorted set: one member per request slot, scored by when the slot frees up
 *   (epoch ms). A request in flight is scored `now + inFlightHoldMs` (a worker that dies mid-request
 *   frees its slot then); its answer rescores it to `answer + windowMs`; slots that others spent
 *   (learned from the vendor's `Remaining` header) are scored `now + holdMs`.
 * - `<base>:pause`, a string: until when (epoch ms) every request waits (after a 429).
 */

/**
 * Takes a slot when one is free.
 * KEYS: slots, pause. ARGV: capacity, windowMs, inFlightHoldMs, slot id, pollMs.
 * Returns `{1, now}` (granted; `now` is Redis time, epoch ms) or `{0, waitMs}`.
 */
export const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {0, paused - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local capacity = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local hold = tonumber(ARGV[3])
if redis.call('ZCARD', KEYS[1]) < capacity then
  redis.call('ZADD', KEYS[1], now + hold, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], hold)
  return {1, now}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(first[2]) - now
-- A finished slot frees within windowMs; a later one is still in flight: look again soon.
if wait > windowMs then wait = tonumber(ARGV[5]) end
if wait < 1 then wait = 1 end
return {0, wait}
`;

/**
 * Marks a slot's request answered: the slot frees `windowMs` from now (only if it is still there).
 * KEYS: slots. ARGV: slot id, windowMs.
 */
export const RELEASE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 1
`;

/**
 * Holds every request back for `ms` from now (never shortens a longer pause).
 * KEYS: pause. ARGV: ms.
 */
export const PAUSE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + ms > current then redis.call('SET', KEYS[1], now + ms, 'PX', ms) end
return 1
`;

/**
 * Takes the slots others spent: the server said only `remaining` were left when it answered a
 * request granted at `grantedAt`, while the budget counts more free. Slots that freed after
 * `grantedAt` still count as taken here (the server counted them when it answered), so without
 * other users this never takes a slot.
 * KEYS: slots. ARGV: capacity, remaining, holdMs, grantedAt (Redis epoch ms), id prefix.
 * Returns the number of slots taken.
 */
export const OBSERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local used = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[4], '+inf')
local extra = (tonumber(ARGV[1]) - used) - tonumber(ARGV[2])
local hold = tonumber(ARGV[3])
for i = 1, extra do
  redis.call('ZADD', KEYS[1], now + hold, ARGV[5] .. ':' .. i)
end
if extra > 0 and redis.call('PTTL', KEYS[1]) < hold then redis.call('PEXPIRE', KEYS[1], hold) end
if extra < 0 then return 0 end
return extra
`;
