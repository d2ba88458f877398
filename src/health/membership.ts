// This replica's place in the live replica set: heartbeats to the store (more often than the heartbeat
// lives) and reports the sorted list of live replicas whenever it changes. When the store is unreachable
// the last known list stays in force, so every instance keeps being probed by someone.
import { ServiceUnavailable } from '../model/errors.ts';
import type { Log } from '../model/log.ts';
import type { Store } from '../store/index.ts';
import { realTimers, type TimerHandle, type Timers } from '../model/timers.ts';

export interface MembershipOptions {
  store: Pick<Store, 'heartbeat'>;
  replicaId: string;
  /** How long one heartbeat keeps this replica alive. */
  ttlMs: number;
  /** How often to heartbeat (well under ttlMs). */
  everyMs: number;
  onChange(replicas: readonly string[]): void;
  log: Log;
  timers?: Timers;
}

export class Membership {
  private replicas: readonly string[];
  private timer: TimerHandle | undefined;
  private stopped = false;
  private failing = false;
  private readonly options: MembershipOptions;

  constructor(options: MembershipOptions) {
    this.options = options;
    this.replicas = [options.replicaId];
  }

  /** The live replicas as last seen (always including this one). */
  get live(): readonly string[] {
    return this.replicas;
  }

  /** Sends the first heartbeat and keeps beating until stop(). */
  async start(): Promise<readonly string[]> {
    await this.beat();
    this.schedule();
    return this.replicas;
  }

  /** Stops beating. Leaving the set at once (store.leave) is the server's job on a clean stop. */
  stop(): void {
    this.stopped = true;
    if (this.timer) (this.options.timers ?? realTimers).clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = (this.options.timers ?? realTimers).setTimeout(() => {
      void this.beat().then(() => this.schedule());
    }, this.options.everyMs);
  }

  private async beat(): Promise<void> {
    const { store, replicaId, ttlMs, log } = this.options;
    let live: string[];
    try {
      live = await store.heartbeat(replicaId, ttlMs);
    } catch (e) {
      // The store away is logged once by the store; anything else once per run of failures.
      if (!this.failing)
        log[e instanceof ServiceUnavailable ? 'debug' : 'warn'](
          { err: (e as Error).message },
          'health check heartbeat failed; keeping the last known replica list',
        );
      this.failing = true;
      return;
    }
    this.failing = false;
    if (this.stopped) return;
    const next = live.includes(replicaId) ? live : [...live, replicaId].sort();
    if (next.length === this.replicas.length && next.every((r, i) => r === this.replicas[i])) return;
    this.replicas = next;
    this.options.onChange(next);
  }
}
