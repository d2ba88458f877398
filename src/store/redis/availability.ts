// Whether Redis is reachable, as seen by every connection of one store, told to the log once per outage:
// one warn when the first connection loses it, one info with the duration when the last one has it back,
// however many requests, retries and reconnect attempts fail in between.
import type { Log } from '../../model/log.ts';

export class Availability {
  /** The connections that currently cannot use Redis ('commands', 'feed'). */
  private readonly failing = new Set<string>();
  private since = 0;
  private readonly log: Log;
  private readonly now: () => number;

  constructor(log: Log, now: () => number = Date.now) {
    this.log = log;
    this.now = now;
  }

  /** `part` could not use Redis (the connection closed, or a command got no answer). */
  lost(part: string, reason: string | undefined): void {
    if (this.failing.has(part)) return;
    this.failing.add(part);
    if (this.failing.size > 1) return;
    this.since = this.now();
    this.log.warn({ reason }, 'lost the connection to Redis; writes fail with ServiceUnavailable until it is back');
  }

  /** Whether every connection can use Redis, and for how long one has not (0 while all can). */
  state(): { up: boolean; downMs: number } {
    return this.failing.size === 0 ? { up: true, downMs: 0 } : { up: false, downMs: Math.max(0, this.now() - this.since) };
  }

  /** `part` used Redis successfully. */
  back(part: string): void {
    if (!this.failing.delete(part) || this.failing.size > 0) return;
    const downMs = this.now() - this.since;
    this.log.info({ downMs }, `the connection to Redis is back after ${(downMs / 1000).toFixed(1)} s`);
  }
}
