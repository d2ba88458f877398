// The Redis URLs cairn understands, parsed once the same way for the configuration (a bad URL stops the
// start with one line, exit 2) and for the store (which connects to what it describes).

/** Where Redis is: a redis:// or rediss:// URL (standalone), or Sentinel. */
export type RedisTarget =
  | { kind: 'standalone'; url: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; username?: string; password?: string; db?: number };

/** Says what is wrong with a URL without repeating it: it may hold a password. */
export class InvalidRedisUrl extends Error {}

export const REDIS_URL_FORMS =
  'redis://[user:password@]host[:port][/db], rediss://… or redis+sentinel://[user:password@]host[:port],…/masterName[/db]';

const SENTINEL_URL = /^redis\+sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/]+)\/([^/?#]+)(?:\/(\d+))?\/?$/;

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

function sentinel(url: string): RedisTarget {
  const m = SENTINEL_URL.exec(url);
  if (!m) throw new InvalidRedisUrl('redis+sentinel://[user:password@]host[:port],host[:port]/masterName[/db]');
  const sentinels = m[3]!.split(',').map((hp) => {
    const at = hp.lastIndexOf(':');
    const bracketed = hp.startsWith('[');
    const hasPort = at > 0 && (!bracketed || hp[at - 1] === ']');
    const host = (hasPort ? hp.slice(0, at) : hp).replace(/^\[|\]$/g, '');
    const port = hasPort ? Number(hp.slice(at + 1)) : 26379;
    if (!host || !validPort(port)) throw new InvalidRedisUrl(`Sentinel addresses as host[:port] (port 1 to 65535), got '${hp}'`);
    return { host, port };
  });
  return {
    kind: 'sentinel',
    sentinels,
    name: decodeURIComponent(m[4]!),
    ...(m[1] ? { username: decodeURIComponent(m[1]) } : {}),
    ...(m[2] !== undefined ? { password: decodeURIComponent(m[2]) } : {}),
    ...(m[5] !== undefined ? { db: Number(m[5]) } : {}),
  };
}

/** Parses `redis://…`, `rediss://…` and `redis+sentinel://[user:pass@]host:port,host:port/masterName[/db]`. */
export function parseRedisTarget(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return standalone(url);
  if (/^redis\+sentinel:\/\//.test(url)) return sentinel(url);
  throw new InvalidRedisUrl(`a redis://, rediss:// or redis+sentinel:// URL (${REDIS_URL_FORMS})`);
}
