// The Store contract shared by the Redis store and the embedded memory store. A store holds tables of
// JSON records and a change feed; every commit is atomic and conditional on the store's head revision,
// so writers on several replicas serialise through it (optimistic concurrency).
import type { TableName, TableValue } from '../model/records.ts';
import { OperationTable } from './operation-table.ts';

export type Mutation = {
  [T in TableName]: { table: T; key: string; value: TableValue<T> | null };
}[TableName];

/** One accepted write: its revision and everything it changed. */
export interface Change {
  revision: number;
  mutations: Mutation[];
}

export type Tables = { [T in TableName]: Map<string, TableValue<T>> };

export interface Snapshot {
  revision: number;
  tables: Tables;
}

export type CommitResult = { ok: true; revision: number } | { ok: false; head: number };

export interface FeedHandlers {
  /** A change from the feed, in revision order (possibly one this replica wrote itself). */
  change(change: Change): void;
  /** The feed lost continuity (trimmed, store restarted): the reader must reload a snapshot. */
  reset(): void;
}

export interface Store {
  readonly kind: 'memory' | 'redis';
  /** Everything, atomically, with the revision it reflects. */
  snapshot(): Promise<Snapshot>;
  /** Applies the mutations iff the head revision equals `expected`. */
  commit(expected: number, mutations: Mutation[]): Promise<CommitResult>;
  /** Changes after `revision`, in order; null when the feed no longer holds all of them. */
  changesSince(revision: number): Promise<Change[] | null>;
  /** Delivers every change after `revision` until the returned function is called. */
  follow(revision: number, handlers: FeedHandlers): () => void;
  /**
   * Marks this replica alive for `ttlMs` and returns the ids of all live replicas (sorted). Health checks
   * share their work by it.
   */
  heartbeat(replicaId: string, ttlMs: number): Promise<string[]>;
  /** Removes this replica from the live set at once (clean shutdown). */
  leave(replicaId: string): Promise<void>;
  close(): Promise<void>;
}

export const emptyTables = (): Tables => ({
  namespaces: new Map(),
  services: new Map(),
  instances: new Map(),
  health: new Map(),
  // Column by column: a replica holds a month of operations (operation-table.ts).
  operations: new OperationTable(),
  tags: new Map(),
});
