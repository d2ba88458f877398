// The Store contract shared by the Redis store and the embedded memory store. A store holds tables of
// JSON records and a change feed; every commit is atomic and conditional on the store's head revision,
// so writers on several replicas serialise through it (optimistic concurrency).
import type { ChangeFeed, Mutation } from '../model/changes.ts';

export type CommitResult = { ok: true; revision: number } | { ok: false; head: number };

export interface Store extends ChangeFeed {
  readonly kind: 'memory' | 'redis';
  /** Applies the mutations iff the head revision equals `expected`. */
  commit(expected: number, mutations: Mutation[]): Promise<CommitResult>;
  /**
   * Marks this replica alive for `ttlMs` and returns the ids of all live replicas (sorted). Health checks
   * share their work by it.
   */
  heartbeat(replicaId: string, ttlMs: number): Promise<string[]>;
  /** Whether the store answers now, and for how long it has not (0 while it does). */
  reachability(): { up: boolean; downMs: number };
  /** Removes this replica from the live set at once (clean shutdown). */
  leave(replicaId: string): Promise<void>;
  /**
   * How far a reader that has applied up to `revision` is behind, in seconds: the age of the oldest
   * change after it (0 when there is none). Rejects when the store cannot be asked.
   */
  lagSeconds(revision: number): Promise<number>;
  close(): Promise<void>;
}
