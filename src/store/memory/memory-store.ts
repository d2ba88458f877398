// The embedded store: the Store contract in one process's memory. For the quick start, tests and demos;
// nothing survives a restart.
import { emptyTables, type Change, type FeedHandlers, type Mutation, type Snapshot, type Tables } from '../../model/changes.ts';
import type { CommitResult, Store } from '../types.ts';

export interface MemoryStoreOptions {
  /** How many changes the feed keeps for readers that fall behind. */
  feedLength?: number;
  now?: () => number;
}

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  private revision = 0;
  private tables: Tables = emptyTables();
  private feed: Change[] = [];
  private readonly followers = new Set<{ next: number; handlers: FeedHandlers }>();
  private readonly replicas = new Map<string, number>();
  private readonly feedLength: number;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.feedLength = options.feedLength ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  // Records are immutable once written (the registry replaces them, never edits them), so the store
  // shares them with its readers and copies only the maps: deep copies cost most of a write.
  async snapshot(newTables: () => Tables = emptyTables): Promise<Snapshot> {
    const tables = newTables();
    for (const name of Object.keys(tables) as (keyof Tables)[]) {
      for (const [k, v] of this.tables[name]) (tables[name] as Map<string, unknown>).set(k, v);
    }
    return { revision: this.revision, tables };
  }

  async commit(expected: number, mutations: Mutation[]): Promise<CommitResult> {
    if (expected !== this.revision) return { ok: false, head: this.revision };
    for (const m of mutations) {
      const table = this.tables[m.table] as Map<string, unknown>;
      if (m.value === null) table.delete(m.key);
      else table.set(m.key, deepFreeze(m.value));
    }
    this.revision += 1;
    const change: Change = { revision: this.revision, mutations: [...mutations] };
    this.feed.push(change);
    if (this.feed.length > this.feedLength) this.feed.splice(0, this.feed.length - this.feedLength);
    queueMicrotask(() => this.deliver());
    return { ok: true, revision: this.revision };
  }

  /** Changes reach followers in the same turn of the event loop: never behind when anyone can ask. */
  async lagSeconds(_revision: number): Promise<number> {
    return 0;
  }

  async changesSince(revision: number): Promise<Change[] | null> {
    if (revision >= this.revision) return [];
    const first = this.feed[0];
    if (!first || first.revision > revision + 1) return null;
    return this.feed.filter((c) => c.revision > revision);
  }

  follow(revision: number, handlers: FeedHandlers): () => void {
    const follower = { next: revision + 1, handlers };
    this.followers.add(follower);
    queueMicrotask(() => this.deliver());
    return () => {
      this.followers.delete(follower);
    };
  }

  private deliver(): void {
    for (const f of this.followers) {
      while (f.next <= this.revision) {
        const first = this.feed[0];
        if (!first || first.revision > f.next) {
          f.next = this.revision + 1;
          f.handlers.reset();
          break;
        }
        const change = this.feed[f.next - first.revision];
        f.next += 1;
        if (change) f.handlers.change(change);
      }
    }
  }

  async heartbeat(replicaId: string, ttlMs: number): Promise<string[]> {
    const now = this.now();
    this.replicas.set(replicaId, now + ttlMs);
    for (const [id, expires] of this.replicas) if (expires <= now) this.replicas.delete(id);
    return [...this.replicas.keys()].sort();
  }

  /** In the process itself: always there. */
  reachability(): { up: boolean; downMs: number } {
    return { up: true, downMs: 0 };
  }

  async leave(replicaId: string): Promise<void> {
    this.replicas.delete(replicaId);
  }

  async close(): Promise<void> {
    this.followers.clear();
  }
}

/** Freezes a record and everything in it: a mutation of shared state then throws instead of spreading. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
