// The contract every probe kind fulfils. The scheduler owns the timeout: it aborts `signal` when the time
// allowed (--health-check-timeout) has passed, and a probe then settles with false at once.
import type { ProbeTarget } from './targets.ts';

/** Resolves true when the target is healthy, false otherwise (refused, error, bad status, aborted). Never rejects. */
export type Probe = (target: ProbeTarget, signal: AbortSignal) => Promise<boolean>;
