// The contract every probe kind fulfils. The scheduler owns the timeout: it aborts `signal` when the time
// allowed (--health-check-timeout) has passed, and a probe then settles with false at once.
import type { ProbeTarget } from './targets.ts';

/** Resolves true when the target is healthy, false otherwise (refused, error, bad status, aborted). Never rejects. */
export type Probe = (target: ProbeTarget, signal: AbortSignal) => Promise<boolean>;

/**
 * Runs one probe: `start` opens its connection and reports through `done`, which settles the probe once
 * (with the first result, or false when `signal` aborts) and then closes what `start` returned.
 */
export function probeOnce(signal: AbortSignal, start: (done: (healthy: boolean) => void) => { destroy(): void }): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    let settled = false;
    let connection: { destroy(): void } | undefined;
    const done = (healthy: boolean): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      connection?.destroy();
      resolve(healthy);
    };
    const onAbort = (): void => done(false);
    signal.addEventListener('abort', onAbort, { once: true });
    connection = start(done);
    // A connection that failed at once settled before it was known: close it now.
    if (settled) connection.destroy();
  });
}
