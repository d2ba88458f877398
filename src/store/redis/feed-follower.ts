// Follows the change feed on a dedicated connection: XREAD BLOCK in a loop, delivering changes in order.
// After an error or an idle block it checks the head: a revision that went backwards, another epoch (Redis
// restarted empty or was flushed) or a gap the stream no longer holds means the reader must reload, so
// handlers.reset() is called and following goes on from the current head.
import type { RedisClient } from './connection.ts';
import type { FeedHandlers } from '../../model/changes.ts';
import type { Availability } from './availability.ts';
import { decodeFeedEntry, type FeedEntry } from './codec.ts';
import { lostConnection } from './failures.ts';
import { feedId, otherEpoch, type Keys } from './keys.ts';
import type { Log } from '../../model/log.ts';

export interface FeedFollowerOptions {
  connection: RedisClient;
  keys: Keys;
  from: number;
  /** The epoch the reader's data belongs to, when known. */
  epoch: string | null | undefined;
  blockMs: number;
  handlers: FeedHandlers;
  log: Log;
  /** Told when the feed's connection loses Redis and has it back (it logs outages once for the store). */
  availability: Availability;
  /** Awaited before handlers.reset(), so the reader's reload finds Redis usable. */
  beforeReset(): Promise<void>;
}

const BATCH = 1000;

export class FeedFollower {
  private position: number;
  private epoch: string | null | undefined;
  private stopped = false;
  /** A failure other than an outage was logged (outages are the availability's to tell). */
  private troubled = false;
  private readonly o: FeedFollowerOptions;
  /** Settles when the loop has ended. */
  readonly done: Promise<void>;

  constructor(options: FeedFollowerOptions) {
    this.o = options;
    this.position = options.from;
    this.epoch = options.epoch;
    this.done = this.run();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    // Aborts a blocked XREAD at once.
    this.o.connection.disconnect();
  }

  private async run(): Promise<void> {
    const conn = this.o.connection;
    conn.on('error', () => undefined); // reported once per outage by the availability, not per reconnect attempt
    let verify = true;
    let attempt = 0;
    while (!this.stopped) {
      try {
        if (conn.status === 'wait' || conn.status === 'end') await conn.connect().catch(() => undefined);
        if (verify) {
          await this.verifyHead();
          verify = false;
        }
        const reply = await conn.xread('COUNT', BATCH, 'BLOCK', this.o.blockMs, 'STREAMS', this.o.keys.feed, feedId(this.position));
        this.o.availability.back('feed');
        this.troubled = false;
        attempt = 0;
        if (reply === null) {
          verify = true;
          continue;
        } // idle: was the data lost meanwhile?
        for (const entry of reply[0]?.[1] ?? []) {
          if (this.stopped) return;
          if (!(await this.deliver(entry))) break;
        }
      } catch (e) {
        if (this.stopped) return;
        if (lostConnection(e)) this.o.availability.lost('feed', (e as Error).message);
        else if (!this.troubled) {
          this.troubled = true;
          this.o.log.warn({ err: (e as Error).message }, 'the Redis change feed failed; serving the last known state and retrying');
        }
        verify = true;
        // An error on a connection that looks fine (a timeout: the network may be half-open): start afresh.
        if (conn.status === 'ready') conn.disconnect(true);
        await sleep(Math.min(100 * 2 ** attempt++, 1000));
      }
    }
  }

  /** Delivers one entry; false when it could not (a gap or another epoch: the reader was reset instead). */
  private async deliver(entry: FeedEntry): Promise<boolean> {
    let decoded;
    try {
      decoded = decodeFeedEntry(this.o.keys.feed, entry);
    } catch (e) {
      this.o.log.warn({ err: (e as Error).message }, 'skipping a corrupt change feed entry; the catalog reloads');
      await this.resetToHead();
      return false;
    }
    const { change, epoch } = decoded;
    if (change.revision !== this.position + 1 || otherEpoch(this.epoch, epoch)) {
      await this.resetToHead();
      return false;
    }
    this.position = change.revision;
    this.epoch ??= epoch;
    this.o.handlers.change(change);
    return true;
  }

  private async head(): Promise<{ revision: number; epoch: string | null }> {
    const [rev, epoch] = await this.o.connection.mget(this.o.keys.rev, this.o.keys.epoch);
    return { revision: Number(rev ?? 0), epoch: epoch ?? null };
  }

  private async verifyHead(): Promise<void> {
    const head = await this.head();
    if (head.revision < this.position || otherEpoch(this.epoch, head.epoch)) return this.reset(head);
    this.epoch ??= head.epoch;
  }

  private async resetToHead(): Promise<void> {
    await this.reset(await this.head());
  }

  private async reset(head: { revision: number; epoch: string | null }): Promise<void> {
    this.o.log.warn(
      { at: this.position, head: head.revision },
      'the Redis change feed cannot continue from here (data lost or trimmed); reloading',
    );
    await this.o.beforeReset();
    if (this.stopped) return;
    this.position = head.revision;
    this.epoch = head.epoch;
    this.o.handlers.reset();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
