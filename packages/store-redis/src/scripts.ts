/**
 * The Lua scripts behind every step that must be atomic. Redis runs a script without running
 * anything else meanwhile, so a check and the write it guards cannot be split by another client.
 * Each script touches only the keys it is given, which share one hash slot (see keys.ts), so each
 * runs on Redis Cluster too. Times come from the server's clock (`TIME`), the same clock its TTLs
 * run on, so app instances with skewed clocks still agree on what has expired.
 */
import type { Cluster, Redis } from "ioredis";

/** The server's time in epoch milliseconds, as a number (`now`) and as exact decimal text. */
const NOW = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local nowText = clock[1] .. string.format('%03d', math.floor(tonumber(clock[2]) / 1000))
`;

/** Gives a sorted set the expiry of its highest score, or lets it go when it is empty. */
const EXPIRE_WITH_LAST = `
local function expireWithLast(key)
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIREAT', key, math.floor(tonumber(last[2]))) end
end
`;

const SCRIPTS = {
  /** KEYS: session. ARGV: expire-at ms, then field/value pairs. 1 when created, 0 when it exists. */
  entranceCreateSession: {
    keys: 1,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1`,
  },

  /**
   * KEYS: session. ARGV: last seen ms, idle expiry ms. Moves both, and the key's expiry to the
   * earlier of the new idle expiry and the stored absolute one; creates nothing.
   */
  entranceTouchSession: {
    keys: 1,
    lua: `
local absolute = redis.call('HGET', KEYS[1], 'a')
if not absolute then return 0 end
redis.call('HSET', KEYS[1], 'l', ARGV[1], 'i', ARGV[2])
local at = ARGV[2]
if tonumber(absolute) and tonumber(absolute) < tonumber(ARGV[2]) then at = absolute end
redis.call('PEXPIREAT', KEYS[1], at)
return 1`,
  },

  /**
   * KEYS: session. ARGV: "any"; or "user", tenant id, object id; or "sid", sid. Deletes the
   * session when it matches, returning its tenant id, object id, whether it has a sid, and the
   * sid; 0 when it is absent, 1 when it does not match (then it is left as it was).
   */
  entranceEndSession: {
    keys: 1,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local f = redis.call('HMGET', KEYS[1], 't', 'o', 's')
if ARGV[1] == 'user' and (f[1] ~= ARGV[2] or f[2] ~= ARGV[3]) then return 1 end
if ARGV[1] == 'sid' and f[3] ~= ARGV[2] then return 1 end
redis.call('DEL', KEYS[1])
return { f[1] or '', f[2] or '', f[3] and '1' or '0', f[3] or '' }`,
  },

  /**
   * KEYS: an index (sorted set). ARGV: score (the session's absolute expiry), member. Drops the
   * members whose score has passed, adds this one unless it has passed too, and lets the set
   * expire with its last member: an index never outlives the sessions it lists.
   */
  entranceIndexAdd: {
    keys: 1,
    lua: `${NOW}${EXPIRE_WITH_LAST}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if tonumber(ARGV[1]) > now then redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) end
expireWithLast(KEYS[1])
return 1`,
  },

  /**
   * KEYS: an owner's transaction values (hash) and expiries (sorted set). ARGV: key, value, TTL
   * ms, maxPending. Drops the owner's expired transactions, stores this one, and keeps only the
   * newest maxPending (by expiry, then key). Returns the expiry given, then every key removed.
   */
  entrancePutTransaction: {
    keys: 2,
    lua: `${NOW}${EXPIRE_WITH_LAST}
local removed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local expires = now + tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], expires, ARGV[1])
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if excess > 0 then
  for _, key in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess - 1)) do
    table.insert(removed, key)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
end
for _, key in ipairs(removed) do redis.call('HDEL', KEYS[1], key) end
expireWithLast(KEYS[2])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(last[2])))
table.insert(removed, 1, tostring(expires))
return removed`,
  },

  /**
   * KEYS: an owner's transaction values and expiries. ARGV: key. Removes the transaction and
   * returns its value unless it has expired; nil when absent or expired.
   */
  entranceTakeTransaction: {
    keys: 2,
    lua: `${NOW}
local value = redis.call('HGET', KEYS[1], ARGV[1])
local expires = redis.call('ZSCORE', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if not value or not expires or tonumber(expires) <= now then return false end
return value`,
  },

  /**
   * KEYS: the pending-transactions index. ARGV: expiry, member, then members to remove. Drops
   * expired members and those given, and adds this one.
   */
  entrancePendingAdd: {
    keys: 1,
    lua: `${NOW}${EXPIRE_WITH_LAST}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
for i = 3, #ARGV do redis.call('ZREM', KEYS[1], ARGV[i]) end
if tonumber(ARGV[1]) > now then redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) end
expireWithLast(KEYS[1])
return 1`,
  },

  /** KEYS: the pending-transactions index. How many members have not expired. */
  entrancePendingCount: {
    keys: 1,
    lua: `${NOW}
return redis.call('ZCOUNT', KEYS[1], '(' .. nowText, '+inf')`,
  },

  /** KEYS: the pending-transactions index. Drops expired members; returns how many. */
  entrancePendingTrim: {
    keys: 1,
    lua: `${NOW}
return redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)`,
  },

  /** KEYS: a lock. ARGV: the holder. Deletes the lock only while that holder has it. */
  entranceReleaseLock: {
    keys: 1,
    lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
} as const;

type ScriptName = keyof typeof SCRIPTS;

/** The scripts as methods: the keys first, then the arguments. */
export type Scripts = {
  readonly [name in ScriptName]: (...keysThenArgs: (string | number)[]) => Promise<unknown>;
};

/**
 * Registers every script on the client (ioredis then runs each by its SHA, sending the source
 * once per connection or cluster node) and returns them as functions.
 */
export function defineScripts(client: Redis | Cluster): Scripts {
  const scripts: Partial<Record<ScriptName, Scripts[ScriptName]>> = {};
  for (const [name, { keys, lua }] of Object.entries(SCRIPTS) as [
    ScriptName,
    (typeof SCRIPTS)[ScriptName],
  ][]) {
    client.defineCommand(name, { numberOfKeys: keys, lua });
    const method = (client as unknown as Record<ScriptName, Scripts[ScriptName]>)[name];
    scripts[name] = (...keysThenArgs) => method.apply(client, keysThenArgs);
  }
  return scripts as Scripts;
}
