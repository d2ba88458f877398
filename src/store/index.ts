// Picks the store: Redis when a URL is configured, the embedded memory store otherwise.
import type { Store } from './types.ts';
import { MemoryStore } from './memory/memory-store.ts';

export type { Store, Change, Mutation, Snapshot, CommitResult, FeedHandlers, Tables } from './types.ts';
export { MemoryStore } from './memory/memory-store.ts';

export interface StoreOptions {
  redisUrl?: string | undefined;
  redisPrefix: string;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (!options.redisUrl) return new MemoryStore();
  const { RedisStore } = await import('./redis/redis-store.ts' as string) as typeof import('./memory/memory-store.ts') & { RedisStore: { connect(o: { url: string; prefix: string }): Promise<Store> } };
  return RedisStore.connect({ url: options.redisUrl, prefix: options.redisPrefix });
}
