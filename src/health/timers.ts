// The time the health checks run on: when probes are due, when a probe is cut off, when to heartbeat.
// The real clock unless one is injected, so tests can move time on instead of sleeping through it.

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
