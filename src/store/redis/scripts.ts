// The Lua scripts, each one atomic step on keys of one hash tag (one Cluster slot). ioredis loads them
// with defineCommand and calls them by EVALSHA.
import type { RedisClient } from './connection.ts';

/**
 * KEYS: rev, epoch, feed, then the six table hashes (tableNames order).
 * ARGV: expected revision, expected epoch ('' = any), epoch to set if none, feed MAXLEN (approximate),
 * feed mutation JSON, then triples (table index, key, value JSON or '' to delete).
 * Returns {1, revision, epoch} or, when the head moved (or the data is another incarnation), {0, head, epoch}.
 * The XADD comes before any other write: if it fails (an id that does not increase) nothing was written.
 * The feed entry carries the commit time on Redis's clock (t, ms), so readers on any host can tell how far
 * behind they are without trusting their own clocks.
 */
const commitLua = `
if redis.replicate_commands then redis.replicate_commands() end
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
local epoch = redis.call('GET', KEYS[2])
if head ~= tonumber(ARGV[1]) or (epoch and ARGV[2] ~= '' and epoch ~= ARGV[2]) then
  return {0, head, epoch or ''}
end
local rev = head + 1
local e = epoch or ARGV[3]
local t = redis.call('TIME')
local ms = string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], string.format('%d-0', rev), 'e', e, 'm', ARGV[5], 't', ms)
if not epoch then redis.call('SET', KEYS[2], e) end
for i = 6, #ARGV, 3 do
  local hash = KEYS[3 + tonumber(ARGV[i])]
  if ARGV[i + 2] == '' then
    redis.call('HDEL', hash, ARGV[i + 1])
  else
    redis.call('HSET', hash, ARGV[i + 1], ARGV[i + 2])
  end
end
redis.call('SET', KEYS[1], rev)
return {1, rev, e}
`;

/**
 * KEYS: replicas. ARGV: replica id, ttl ms. Uses Redis's clock (TIME), so replicas with skewed clocks
 * agree on who is alive. Returns the live ids.
 */
const heartbeatLua = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1)
`;

export const COMMIT_KEYS = 9;

/** A client with the scripts defined on it. */
export type ScriptedRedis = RedisClient & {
  cairnCommit(...keysAndArgs: (string | number)[]): Promise<[number, number, string]>;
  cairnHeartbeat(key: string, replicaId: string, ttlMs: number): Promise<string[]>;
};

export function defineScripts(client: RedisClient): ScriptedRedis {
  client.defineCommand('cairnCommit', { numberOfKeys: COMMIT_KEYS, lua: commitLua });
  client.defineCommand('cairnHeartbeat', { numberOfKeys: 1, lua: heartbeatLua });
  return client as ScriptedRedis;
}
