// Picks the store: Redis when a URL is configured, the embedded memory store otherwise.
import type { Store } from './types.ts';
import { MemoryStore } from './memory/memory-store.ts';
import { RedisStore } from './redis/redis-store.ts';
import type { Log } from '../model/log.ts';

export type { Store, CommitResult } from './types.ts';
export { MemoryStore } from './memory/memory-store.ts';
export { RedisStore, type RedisStoreOptions } from './redis/redis-store.ts';
export { registerStoreMetrics } from './metrics.ts';

export interface StoreOptions {
  redisUrl?: string | undefined;
  redisPrefix: string;
  /** How long Redis may leave a command unanswered before its connection is dropped (--redis-timeout). */
  redisTimeoutMs?: number | undefined;
  /** Replicas a commit must reach before it is acknowledged (--redis-wait-replicas; default 0). */
  redisWaitReplicas?: number | undefined;
  /** About how many changes the Redis feed keeps (default 100,000). */
  feedLength?: number | undefined;
  log?: Log | undefined;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (!options.redisUrl) return new MemoryStore();
  return RedisStore.connect({
    url: options.redisUrl,
    prefix: options.redisPrefix,
    ...(options.feedLength !== undefined ? { feedLength: options.feedLength } : {}),
    ...(options.redisTimeoutMs !== undefined ? { socketTimeoutMs: options.redisTimeoutMs, waitTimeoutMs: options.redisTimeoutMs / 2 } : {}),
    ...(options.redisWaitReplicas !== undefined ? { waitReplicas: options.redisWaitReplicas } : {}),
    ...(options.log !== undefined ? { log: options.log } : {}),
  });
}
