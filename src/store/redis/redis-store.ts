// The Store contract over Redis: tables as hashes, one Lua script per commit (conditional on the head
// revision, appending the change to a stream), snapshots by scanning and replaying the feed, a change feed
// read with XREAD, and replica liveness in a sorted set. Fails fast when Redis is away, saying whether a
// write may still be applied; the caller keeps serving what it has. Standalone, Sentinel and Cluster alike:
// every key shares one hash tag, so on a Cluster every command goes to the one master of that slot.
import { randomBytes } from 'node:crypto';
import { tableNames } from '../../model/records.ts';
import { CloudMapError, ServiceUnavailable, StoreUnreachable, WriteOutcomeUnknown } from '../../model/errors.ts';
import type { Change, FeedHandlers, Mutation, Snapshot, Tables } from '../../model/changes.ts';
import type { CommitResult, Store } from '../types.ts';
import { Availability } from './availability.ts';
import { encodeCommit } from './codec.ts';
import {
  closeClient,
  connected,
  createClient,
  duplicateForBlocking,
  readyToSend,
  redact,
  serverFor,
  whenReady,
  type RedisClient,
} from './connection.ts';
import { failureOf, lostConnection, replyCode } from './failures.ts';
import { FeedFollower } from './feed-follower.ts';
import { feedLagSeconds } from './feed-lag.ts';
import { changesUpTo, headAndFirstPage } from './feed-range.ts';
import { keysFor, otherEpoch, type Keys } from './keys.ts';
import { silentLog, type Log } from '../../model/log.ts';
import { defineScripts, type ScriptedRedis } from './scripts.ts';
import { readSnapshot } from './snapshot-reader.ts';

export interface RedisStoreOptions {
  /** redis://, rediss://, redis+sentinel://host:port[,host:port]/masterName or redis+cluster://host:port[,host:port] */
  url: string;
  /** Every key lives under the hash tag `{prefix}`. */
  prefix: string;
  /** About how many changes the feed keeps for readers that fall behind (trimmed approximately). */
  feedLength?: number;
  log?: Log;
  /** How long connect() waits for Redis before giving up. */
  startTimeoutMs?: number;
  /** TCP connect timeout. */
  connectTimeoutMs?: number;
  /**
   * How long a connection may owe a reply without receiving anything before it is dropped: the longest a
   * write waits on a Redis that stopped answering.
   */
  socketTimeoutMs?: number;
  /** How long one XREAD blocks; an idle feed re-checks the head this often. */
  followBlockMs?: number;
  /**
   * A commit is acknowledged only once this many replicas have it (WAIT), so a failover that promotes one
   * of them keeps it; fewer in time and the write fails with WriteOutcomeUnknown. 0: no waiting.
   */
  waitReplicas?: number;
  /** How long WAIT waits for those replicas. */
  waitTimeoutMs?: number;
}

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  private readonly client: ScriptedRedis;
  private readonly keys: Keys;
  private readonly tableKeys: string[];
  private readonly feedLength: number;
  private readonly followBlockMs: number;
  private readonly waitReplicas: number;
  private readonly waitTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  /** The Cluster slot of every key (undefined: not a Cluster). */
  private slot: number | undefined;
  private readonly log: Log;
  private readonly availability: Availability;
  private readonly followers = new Set<FeedFollower>();
  /** The epoch of the data last loaded or written through this store (undefined: not known yet). */
  private epoch: string | null | undefined;
  private wasConnected = false;
  private closing = false;
  /** Why the connection last failed (ioredis says it in 'error', before 'close'). */
  private lastError: string | undefined;
  /** The kind of error Redis answers writes with (OOM...), while it does: logged once, not per write. */
  private refusing: string | undefined;
  /** Commits fall short of --redis-wait-replicas, while they do: logged once, not per write. */
  private underReplicated = false;

  private constructor(client: RedisClient, options: RedisStoreOptions) {
    this.client = defineScripts(client);
    this.keys = keysFor(options.prefix);
    this.tableKeys = tableNames.map((t) => this.keys.tables[t]);
    this.feedLength = options.feedLength ?? 100_000;
    this.followBlockMs = options.followBlockMs ?? 2000;
    this.waitReplicas = options.waitReplicas ?? 0;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 250;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 1000;
    this.log = options.log ?? silentLog;
    this.availability = new Availability(this.log);
    // Outages are logged once each by `availability`, not per reconnect attempt or failed command. A
    // frozen Redis closes the connection too: the socket timeout drops it.
    client.on('error', (e: Error) => {
      this.lastError = e.message;
    });
    client.on('ready', () => {
      this.wasConnected = true;
      this.availability.back('commands');
    });
    client.on('close', () => {
      if (this.wasConnected && !this.closing) this.availability.lost('commands', this.lastError);
    });
  }

  /** Connects and waits (up to startTimeoutMs) until Redis answers. */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    const client = createClient(options.url, {
      connectTimeoutMs: options.connectTimeoutMs ?? 1000,
      socketTimeoutMs: options.socketTimeoutMs ?? 1000,
    });
    const store = new RedisStore(client, options);
    try {
      store.slot = await connected(client, store.keys.rev, options.startTimeoutMs ?? 5000);
    } catch (e) {
      client.disconnect();
      throw new ServiceUnavailable(`Cannot reach Redis at ${redact(options.url)}: ${redact((e as Error).message)}`);
    }
    store.log.info({ redis: redact(options.url), prefix: options.prefix }, 'connected to Redis');
    return store;
  }

  async snapshot(newTables?: () => Tables): Promise<Snapshot> {
    const { snapshot, epoch } = await this.read(() => readSnapshot(this.client, this.keys, newTables));
    this.epoch = epoch;
    return snapshot;
  }

  /**
   * Throws StoreUnreachable when the commit was not sent (nothing written) and WriteOutcomeUnknown when it
   * was sent and no answer came: Redis may still apply it.
   */
  async commit(expected: number, mutations: Mutation[]): Promise<CommitResult> {
    const { args, feed } = encodeCommit(mutations);
    if (!(await readyToSend(this.client, this.slot, this.connectTimeoutMs))) throw new StoreUnreachable();
    let reply;
    try {
      reply = await this.client.cairnCommit(
        this.keys.rev,
        this.keys.epoch,
        this.keys.feed,
        ...this.tableKeys,
        expected,
        this.epoch ?? '',
        randomBytes(8).toString('hex'),
        this.feedLength,
        feed,
        ...args,
      );
    } catch (e) {
      throw this.commitFailure(e);
    }
    const [ok, revision, epoch] = reply;
    if (this.refusing !== undefined) {
      this.refusing = undefined;
      this.log.info({}, 'Redis accepts writes again');
    }
    if (ok !== 1) return { ok: false, head: revision };
    this.epoch = epoch;
    if (this.waitReplicas > 0) await this.replicated();
    return { ok: true, revision };
  }

  /**
   * Waits until `waitReplicas` replicas have the commit just made. It is applied on the master either way,
   * so falling short is WriteOutcomeUnknown: a failover now may lose it; otherwise the feed brings it.
   */
  private async replicated(): Promise<void> {
    // WAIT counts the writes of the connection it is sent on: the one the commit went through (after any
    // redirection).
    const connection = serverFor(this.client, this.slot);
    const acknowledged = connection ? await connection.wait(this.waitReplicas, this.waitTimeoutMs).catch(() => 0) : 0;
    if (acknowledged < this.waitReplicas) {
      if (!this.underReplicated)
        this.log.warn(
          { acknowledged, wanted: this.waitReplicas },
          'commits do not reach enough Redis replicas in time; writes fail with ServiceUnavailable until they do',
        );
      this.underReplicated = true;
      throw new WriteOutcomeUnknown();
    }
    if (this.underReplicated) this.log.info({}, 'commits reach enough Redis replicas again');
    this.underReplicated = false;
  }

  private commitFailure(e: unknown): CloudMapError {
    switch (failureOf(e)) {
      case 'not-sent':
        return new StoreUnreachable();
      case 'no-answer':
        return new WriteOutcomeUnknown();
      case 'refused': {
        // Redis answered (out of memory, read-only replica...): not an outage, and not carried out.
        const code = replyCode(e as Error);
        if (this.refusing !== code)
          this.log.warn({ err: (e as Error).message }, 'Redis refuses writes; they fail with ServiceUnavailable until it accepts them');
        this.refusing = code;
        return new ServiceUnavailable(`The registry store refused the write (${code}); nothing was written. Retry later.`);
      }
    }
  }

  /** A read that fails for want of Redis throws StoreUnreachable; any other error is passed on. */
  private async read<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      throw lostConnection(e) ? new StoreUnreachable() : e;
    }
  }

  async changesSince(revision: number): Promise<Change[] | null> {
    return this.read(() => this.readChangesSince(revision));
  }

  private async readChangesSince(revision: number): Promise<Change[] | null> {
    const { head, epoch, page } = await headAndFirstPage(this.client, this.keys, revision);
    // A head behind the reader, or another epoch: Redis lost the data the reader has.
    if (head < revision || otherEpoch(this.epoch, epoch)) return null;
    return changesUpTo(this.client, this.keys, revision, head, this.epoch ?? epoch, page);
  }

  follow(revision: number, handlers: FeedHandlers): () => void {
    const connection = duplicateForBlocking(this.client, this.followBlockMs + 1500);
    const follower = new FeedFollower({
      connection,
      keys: this.keys,
      from: revision,
      epoch: this.epoch,
      blockMs: this.followBlockMs,
      handlers,
      log: this.log,
      availability: this.availability,
      beforeReset: () => whenReady(this.client, 5000).catch(() => undefined),
    });
    this.followers.add(follower);
    return () => {
      this.followers.delete(follower);
      follower.stop();
    };
  }

  async lagSeconds(revision: number): Promise<number> {
    return this.read(() => feedLagSeconds(this.client, this.keys, revision));
  }

  async heartbeat(replicaId: string, ttlMs: number): Promise<string[]> {
    const live = await this.read(() => this.client.cairnHeartbeat(this.keys.replicas, replicaId, Math.max(0, Math.round(ttlMs))));
    return live.sort();
  }

  reachability(): { up: boolean; downMs: number } {
    return this.availability.state();
  }

  async leave(replicaId: string): Promise<void> {
    await this.read(() => this.client.zrem(this.keys.replicas, replicaId));
  }

  async close(): Promise<void> {
    this.closing = true;
    const stopping = [...this.followers].map((f) => {
      f.stop();
      return f.done;
    });
    this.followers.clear();
    // The client first: a follower waiting for it to be ready (before a reset) then stops waiting.
    await closeClient(this.client);
    await Promise.all(stopping);
  }
}
