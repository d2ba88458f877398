// Turns a cairn Redis URL into ioredis options tuned to fail fast, and opens connections with them.
// A command never waits in an offline queue: when Redis is away it is rejected at once, so a write
// answers ServiceUnavailable instead of hanging, while the client keeps reconnecting in the background.
import { inspect } from 'node:util';
import { Redis, type RedisOptions } from 'ioredis';
import { ServiceUnavailable } from '../../model/errors.ts';
import { redactSecrets } from '../../model/redact.ts';
import { InvalidRedisUrl, parseRedisTarget as parse, type RedisTarget } from '../../model/redis-url.ts';

export type { RedisTarget };

/** The target a URL describes; ServiceUnavailable (never the URL's password) when it describes none. */
export function parseRedisTarget(url: string): RedisTarget {
  try {
    return parse(url);
  } catch (e) {
    if (e instanceof InvalidRedisUrl)
      throw new ServiceUnavailable(`Not a Redis URL this store understands: ${redact(url)} (expected ${e.message})`);
    throw e;
  }
}

/** The URL with its password masked, for logs and errors. */
export const redact = (url: string): string => redactSecrets(url);

export interface Timing {
  /** Time allowed to open a TCP connection. */
  connectTimeoutMs: number;
  /** A connection that owes a reply and receives nothing for this long is dropped (half-open networks). */
  socketTimeoutMs: number;
}

/** Options shared by every connection: no offline queue, no resending, reconnect forever with a short back-off. */
function failFastOptions(timing: Timing): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    // 0: commands in flight when the connection drops are rejected at once, never resent after a reconnect
    // (a commit is conditional anyway; the writer answers 503 and the client retries).
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: timing.connectTimeoutMs,
    socketTimeout: timing.socketTimeoutMs,
    retryStrategy: (times) => Math.min(100 * times, 1000),
    sentinelRetryStrategy: (times) => Math.min(100 * times, 1000),
  };
}

/** A new, not yet connected client for the target. */
export function createClient(target: RedisTarget, timing: Timing): Redis {
  const options = failFastOptions(timing);
  if (target.kind === 'standalone') return hideSecrets(new Redis(target.url, options), target.url);
  const { sentinels, name, username, password, db } = target;
  return hideSecrets(new Redis({ ...options, sentinels, name, username, password, db }), `sentinel ${name}`);
}

/**
 * The client keeps the password in its options; anything that serialises an object reaching the client
 * (a log line, a debugging dump) sees only where Redis is instead.
 */
function hideSecrets(client: Redis, where: string): Redis {
  const shown = redact(where);
  Object.defineProperty(client, 'toJSON', { value: () => ({ redis: shown, status: client.status }) });
  Object.defineProperty(client, inspect.custom, { value: () => `Redis(${shown}, ${client.status})` });
  return client;
}

/** Resolves when the client is ready; rejects after `ms` (the client keeps retrying in the background). */
export function whenReady(client: Redis, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(new ServiceUnavailable('The Redis connection was closed'));
  if (client.status === 'wait') client.connect().catch(() => undefined);
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
    };
    const onReady = (): void => {
      done();
      resolve();
    };
    const onEnd = (): void => {
      done();
      reject(new ServiceUnavailable('The Redis connection was closed'));
    };
    const timer = setTimeout(() => {
      done();
      reject(new ServiceUnavailable(`Redis is not reachable (waited ${ms} ms)`));
    }, ms);
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}

/** Closes a client politely, or abruptly when Redis does not answer in time; never hangs. */
export async function closeClient(client: Redis, ms = 1000): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    await Promise.race([client.quit().catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);
  }
  client.disconnect();
}
