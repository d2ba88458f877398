// The failure-threshold rule, pure: consecutive probe results against the stored status decide a flip.
// The status itself is never kept here: it is read from the catalog at every result, so a restarted
// replica starts from what is stored and cannot flip anything just because it restarted.
import type { HealthStatus } from '../model/records.ts';

/** Consecutive results that disagree with `against` (the stored status when they were counted). */
export interface Streak {
  against: HealthStatus;
  count: number;
}

export interface Observation {
  streak: Streak;
  /** The status to write, when this result completes a run of `threshold` disagreeing results. */
  flipTo: HealthStatus | undefined;
}

const opposite = (s: HealthStatus): HealthStatus => (s === 'HEALTHY' ? 'UNHEALTHY' : 'HEALTHY');

/**
 * Adds one probe result. `threshold` consecutive failures flip HEALTHY to UNHEALTHY and as many
 * consecutive successes flip it back; a result that agrees with the stored status ends the run. A streak
 * counted against another status (the status changed meanwhile) starts over. After a flip decision the
 * streak is kept, so if the write did not land the next disagreeing result asks again.
 */
export function observe(previous: Streak | undefined, stored: HealthStatus, healthy: boolean, threshold: number): Observation {
  const result: HealthStatus = healthy ? 'HEALTHY' : 'UNHEALTHY';
  if (result === stored) return { streak: { against: stored, count: 0 }, flipTo: undefined };
  const count = (previous !== undefined && previous.against === stored ? previous.count : 0) + 1;
  return { streak: { against: stored, count }, flipTo: count >= Math.max(1, threshold) ? opposite(stored) : undefined };
}
