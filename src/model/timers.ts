// Time for the parts that wait (probe schedules and timeouts, heartbeats, delayed custom health): the
// real clock unless one is injected, so tests can move time on instead of sleeping through it.

/** What setTimeout returned, handed back to clearTimeout. */
export type TimerHandle = object;

export interface Timers {
  now(): number;
  /** Calls `fn` once, `ms` from now; a pending call does not keep the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
