// The vocabulary of writes and of the change feed, shared by the store that keeps them, the catalog that
// applies them and everyone who listens to the catalog: a mutation, a change (one accepted write), the
// tables, a snapshot, and what a reader of the feed needs of the store.
import type { TableName, TableValue } from './records.ts';

export type Mutation = {
  [T in TableName]: { table: T; key: string; value: TableValue<T> | null };
}[TableName];

/** One accepted write: its revision and everything it changed. */
export interface Change {
  revision: number;
  mutations: Mutation[];
}

export type Tables = { [T in TableName]: Map<string, TableValue<T>> };

/** Empty tables; whoever holds them may choose the map that keeps a table (the catalog keeps operations column by column). */
export const emptyTables = (operations: Tables['operations'] = new Map()): Tables => ({
  namespaces: new Map(),
  services: new Map(),
  instances: new Map(),
  health: new Map(),
  operations,
  tags: new Map(),
});

export interface Snapshot {
  revision: number;
  tables: Tables;
}

export interface FeedHandlers {
  /** A change from the feed, in revision order (possibly one this replica wrote itself). */
  change(change: Change): void;
  /** The feed lost continuity (trimmed, store restarted): the reader must reload a snapshot. */
  reset(): void;
}

/** What a reader of the registry needs of a store: a snapshot to start from and the changes after it. */
export interface ChangeFeed {
  /** Everything, atomically, with the revision it reflects, in tables made by `newTables`. */
  snapshot(newTables?: () => Tables): Promise<Snapshot>;
  /** Changes after `revision`, in order; null when the feed no longer holds all of them. */
  changesSince(revision: number): Promise<Change[] | null>;
  /** Delivers every change after `revision` until the returned function is called. */
  follow(revision: number, handlers: FeedHandlers): () => void;
}
