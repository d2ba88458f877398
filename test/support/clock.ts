// A clock for tests that is moved on instead of waited for: advance(ms) runs the timers that fall due, in
// order, and lets the work each one starts (probes on real sockets, say) finish before the next one fires.
import type { TimerHandle, Timers } from '../../src/model/timers.ts';

export interface TestClockOptions {
  /**
   * false (the default): time stands still between advances, for code whose every wait is on this clock.
   * true: time also passes as it really does and due timers fire on their own; advance() skips ahead. For
   * code that meets real I/O or another clock (Redis's, another process's): a probe that hangs is still
   * cut off by its timeout, and nothing waits for an advance that never comes.
   */
  flowing?: boolean;
  /** Whether the work that timers started is done (e.g. no probe in flight): checked after each one fires. */
  settled?: () => boolean;
}

interface Pending {
  due: number;
  seq: number;
  fn: () => void;
}

const SETTLE_LIMIT_MS = 5000;

export class TestClock implements Timers {
  private readonly flowing: boolean;
  private readonly settled: () => boolean;
  /** Frozen: a fixed start, so phases (and so the tests) are the same on every run. */
  private readonly base = 1_700_000_000_000;
  private offset = 0;
  private seq = 0;
  private pending: Pending[] = [];
  private real: NodeJS.Timeout | undefined;

  constructor(options: TestClockOptions = {}) {
    this.flowing = options.flowing ?? false;
    this.settled = options.settled ?? (() => true);
  }

  now(): number {
    return (this.flowing ? Date.now() : this.base) + this.offset;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Pending = { due: this.now() + Math.max(0, ms), seq: this.seq++, fn };
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.due > timer.due) i--;
    this.pending.splice(i, 0, timer);
    this.rearm();
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const i = this.pending.indexOf(handle as Pending);
    if (i >= 0) this.pending.splice(i, 1);
    this.rearm();
  }

  /** Moves time on by `ms`, firing each timer due by then at its own moment and settling after it. */
  async advance(ms: number): Promise<void> {
    const end = this.now() + ms;
    for (let next = this.pending[0]; next && next.due <= end; next = this.pending[0]) {
      this.skipTo(next.due);
      this.pending.shift();
      next.fn();
      this.rearm();
      await this.settle();
    }
    this.skipTo(end);
    this.rearm();
    // Flowing: every advance takes a millisecond of real time or more, so replies already on their way (a
    // heartbeat's, the change feed's) land within a step or so instead of after time has raced ahead.
    if (this.flowing) await new Promise((r) => setTimeout(r, 1));
  }

  /** Moves time on `stepMs` at a time until `check` gives a value; fails after `limitMs` of this clock. */
  async waitFor<T>(check: () => T | undefined | Promise<T | undefined>, limitMs: number, what: string, stepMs = 10): Promise<T> {
    const end = this.now() + limitMs;
    for (;;) {
      const v = await check();
      if (v !== undefined) return v;
      if (this.now() > end) throw new Error(`timed out after ${limitMs}ms (test clock) waiting for ${what}`);
      await this.advance(stepMs);
    }
  }

  private skipTo(at: number): void {
    const now = this.now();
    if (at > now) this.offset += at - now;
  }

  /** Flowing: a real timer for the earliest pending one, so time passing on its own fires it too. */
  private rearm(): void {
    if (!this.flowing) return;
    if (this.real) clearTimeout(this.real);
    this.real = undefined;
    const first = this.pending[0];
    if (!first) return;
    this.real = setTimeout(() => this.fireDue(), Math.max(0, first.due - this.now()));
    this.real.unref();
  }

  private fireDue(): void {
    this.real = undefined;
    for (let next = this.pending[0]; next && next.due <= this.now(); next = this.pending[0]) {
      this.pending.shift();
      next.fn();
    }
    this.rearm();
  }

  /** Lets promise chains run, then waits (really) until `settled` says the work started is done. */
  private async settle(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    const limit = Date.now() + SETTLE_LIMIT_MS;
    while (!this.settled()) {
      if (Date.now() > limit) throw new Error(`test clock: work started by a timer did not settle within ${SETTLE_LIMIT_MS}ms`);
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}
