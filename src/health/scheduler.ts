// Runs each target's probe once per interval, at most `concurrency` at a time, each cut off after
// `timeoutMs`. Every key has a fixed phase inside the interval (from its hash), so probes spread evenly
// over the interval instead of bursting, a probe kept waiting for a free slot does not shift the next
// one, and every replica would pick the same moment (a handover keeps the instance's cadence).
import { hash32 } from '../model/hash.ts';
import { MinHeap } from './min-heap.ts';
import { realTimers, type TimerHandle, type Timers } from '../model/timers.ts';

export interface SchedulerOptions<T> {
  intervalMs: number;
  timeoutMs: number;
  /** Probes in flight at once; the rest wait for a slot (so 10,000 targets never open 10,000 sockets). */
  concurrency: number;
  probe(item: T, signal: AbortSignal): Promise<boolean>;
  /** Called with each finished probe's result, unless the item was removed or the scheduler stopped. */
  onResult(item: T, healthy: boolean): void;
  timers?: Timers;
}

export interface SchedulerStats {
  scheduled: number;
  inFlight: number;
  waiting: number;
  started: number;
  finished: number;
  /** Rounds skipped because the previous probe of the same target was still waiting or running. */
  skipped: number;
  maxInFlight: number;
}

interface Entry<T> {
  item: T;
  due: number;
  state: 'idle' | 'waiting' | 'running';
  live: boolean;
}
/** A heap slot; stale when its entry was removed or rescheduled since. */
interface Slot<T> {
  entry: Entry<T>;
  due: number;
}

export class Scheduler<T extends { key: string }> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly heap = new MinHeap<Slot<T>>((s) => s.due);
  private ready: Entry<T>[] = [];
  private readyHead = 0;
  private readonly running = new Map<Entry<T>, { controller: AbortController; done: Promise<void> }>();
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private stopped = false;
  private readonly counts = { started: 0, finished: 0, skipped: 0, maxInFlight: 0 };
  private readonly options: SchedulerOptions<T>;
  private readonly timers: Timers;

  constructor(options: SchedulerOptions<T>) {
    this.options = { ...options, intervalMs: Math.max(1, Math.round(options.intervalMs)), concurrency: Math.max(1, options.concurrency) };
    this.timers = options.timers ?? realTimers;
  }

  private now(): number {
    return this.timers.now();
  }

  /** Adds a target, or replaces the item of one already scheduled (keeping its phase and its round). */
  set(item: T): void {
    if (this.stopped) return;
    const existing = this.entries.get(item.key);
    if (existing) {
      existing.item = item;
      return;
    }
    const entry: Entry<T> = { item, due: this.nextDue(item.key, this.now()), state: 'idle', live: true };
    this.entries.set(item.key, entry);
    this.heap.push({ entry, due: entry.due });
    this.arm();
  }

  /** Stops probing a target; a probe of it in flight is aborted and its result dropped. */
  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.live = false;
    this.entries.delete(key);
    this.running.get(entry)?.controller.abort();
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }
  get size(): number {
    return this.entries.size;
  }
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  stats(): SchedulerStats {
    return { scheduled: this.entries.size, inFlight: this.running.size, waiting: this.ready.length - this.readyHead, ...this.counts };
  }

  /** Aborts probes in flight and waits for them to settle; nothing runs afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const pending = [...this.running.values()];
    for (const r of pending) r.controller.abort();
    await Promise.all(pending.map((r) => r.done));
    this.heap.clear();
    this.entries.clear();
    this.ready = [];
    this.readyHead = 0;
  }

  /** The first moment after `after` at the key's phase: phase + k·interval, on the wall clock. */
  private nextDue(key: string, after: number): number {
    const interval = this.options.intervalMs;
    const phase = hash32(key) % interval;
    return phase + (Math.floor((after - phase) / interval) + 1) * interval;
  }

  private arm(): void {
    if (this.stopped) return;
    const top = this.heap.peek();
    if (!top || top.due >= this.timerAt) return;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timerAt = top.due;
    this.timer = this.timers.setTimeout(() => this.fire(), Math.max(0, top.due - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.stopped) return;
    const now = this.now();
    for (let slot = this.heap.peek(); slot && slot.due <= now; slot = this.heap.peek()) {
      this.heap.pop();
      const entry = slot.entry;
      if (!entry.live || entry.due !== slot.due) continue;
      // A target whose previous probe is still waiting or running skips this round rather than piling up.
      if (entry.state === 'idle') {
        entry.state = 'waiting';
        this.ready.push(entry);
      } else this.counts.skipped++;
      // From `now`, not from the slot: after a long stall the missed rounds are dropped, not replayed.
      entry.due = this.nextDue(entry.item.key, now);
      this.heap.push({ entry, due: entry.due });
    }
    this.pump();
    this.arm();
  }

  private pump(): void {
    while (this.running.size < this.options.concurrency && this.readyHead < this.ready.length) {
      const entry = this.ready[this.readyHead++]!;
      if (entry.live) this.start(entry);
    }
    if (this.readyHead === this.ready.length) {
      this.ready = [];
      this.readyHead = 0;
    } else if (this.readyHead > 4096) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
  }

  private start(entry: Entry<T>): void {
    entry.state = 'running';
    this.counts.started++;
    const item = entry.item;
    const controller = new AbortController();
    const timeout = this.timers.setTimeout(() => controller.abort(), this.options.timeoutMs);
    const done = this.options
      .probe(item, controller.signal)
      .catch(() => false)
      .then((healthy) => {
        this.timers.clearTimeout(timeout);
        this.running.delete(entry);
        entry.state = 'idle';
        this.counts.finished++;
        if (this.stopped) return;
        if (entry.live) {
          try {
            this.options.onResult(item, healthy);
          } catch {
            /* a failing consumer must not stop the schedule */
          }
        }
        this.pump();
      });
    this.running.set(entry, { controller, done });
    this.counts.maxInFlight = Math.max(this.counts.maxInFlight, this.running.size);
  }
}
