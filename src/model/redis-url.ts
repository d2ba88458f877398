// The Redis URLs cairn understands, parsed once the same way for the configuration (a bad URL stops the
// start with one line, exit 2) and for the store (which connects to what it describes).

export interface RedisAddress {
  host: string;
  port: number;
}

interface Credentials {
  username?: string;
  password?: string;
}

/** Where Redis is: a redis:// or rediss:// URL (standalone), Sentinel, or the seed nodes of a Cluster. */
export type RedisTarget =
  | { kind: 'standalone'; url: string }
  | ({ kind: 'sentinel'; sentinels: RedisAddress[]; name: string; db?: number } & Credentials)
  | ({ kind: 'cluster'; nodes: RedisAddress[] } & Credentials);

/** Says what is wrong with a URL without repeating it: it may hold a password. */
export class InvalidRedisUrl extends Error {}

export const REDIS_URL_FORMS =
  'redis://[user:password@]host[:port][/db], rediss://…, redis+sentinel://[user:password@]host[:port],…/masterName[/db] or redis+cluster://[user:password@]host[:port],…';

// No '@' in the address list: a password never reaches an error message as an address.
const USERINFO = String.raw`(?:([^:@/]*)(?::([^@/]*))?@)?`;
const SENTINEL_URL = new RegExp(String.raw`^redis\+sentinel://${USERINFO}([^/@]+)/([^/?#]+)(?:/(\d+))?/?$`);
const CLUSTER_URL = new RegExp(String.raw`^redis\+cluster://${USERINFO}([^/@]+)/?$`);

const validPort = (p: number): boolean => Number.isInteger(p) && p >= 1 && p <= 65535;

function standalone(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidRedisUrl(`a URL of the form ${REDIS_URL_FORMS}`);
  }
  if (u.hostname === '') throw new InvalidRedisUrl('a host name in the URL');
  if (!/^\/?(\d+)?$/.test(u.pathname)) throw new InvalidRedisUrl('a database number (or nothing) after the host');
  return { kind: 'standalone', url };
}

/** `host[:port],host[:port]…`, IPv6 hosts in brackets. */
function addresses(list: string, defaultPort: number, what: string): RedisAddress[] {
  return list.split(',').map((hp) => {
    const at = hp.lastIndexOf(':');
    const bracketed = hp.startsWith('[');
    const hasPort = at > 0 && (!bracketed || hp[at - 1] === ']');
    const host = (hasPort ? hp.slice(0, at) : hp).replace(/^\[|\]$/g, '');
    const port = hasPort ? Number(hp.slice(at + 1)) : defaultPort;
    if (!host || !validPort(port)) throw new InvalidRedisUrl(`${what} addresses as host[:port] (port 1 to 65535), got '${hp}'`);
    return { host, port };
  });
}

function credentials(user: string | undefined, password: string | undefined): Credentials {
  return {
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password !== undefined ? { password: decodeURIComponent(password) } : {}),
  };
}

function sentinel(url: string): RedisTarget {
  const m = SENTINEL_URL.exec(url);
  if (!m) throw new InvalidRedisUrl('redis+sentinel://[user:password@]host[:port],host[:port]/masterName[/db]');
  return {
    kind: 'sentinel',
    sentinels: addresses(m[3]!, 26379, 'Sentinel'),
    name: decodeURIComponent(m[4]!),
    ...credentials(m[1], m[2]),
    ...(m[5] !== undefined ? { db: Number(m[5]) } : {}),
  };
}

function cluster(url: string): RedisTarget {
  const m = CLUSTER_URL.exec(url);
  if (!m)
    throw new InvalidRedisUrl('redis+cluster://[user:password@]host[:port],host[:port]… (seed nodes; a Cluster has no database number)');
  return { kind: 'cluster', nodes: addresses(m[3]!, 6379, 'Cluster node'), ...credentials(m[1], m[2]) };
}

/**
 * Parses `redis://…`, `rediss://…`, `redis+sentinel://[user:pass@]host:port,host:port/masterName[/db]` and
 * `redis+cluster://[user:pass@]host:port,host:port…` (any reachable nodes of the Cluster: it tells the rest).
 */
export function parseRedisTarget(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return standalone(url);
  if (/^redis\+sentinel:\/\//.test(url)) return sentinel(url);
  if (/^redis\+cluster:\/\//.test(url)) return cluster(url);
  throw new InvalidRedisUrl(`a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL (${REDIS_URL_FORMS})`);
}
