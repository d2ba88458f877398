// Exponential backoff with jitter, for retrying Docker and Cloud Map while they are away: quick at first so a
// short blip costs little, capped so a long outage is still noticed soon after it ends.
import { setTimeout as delay } from 'node:timers/promises';

export interface Backoff {
  firstMs: number;
  maxMs: number;
}

export const defaultBackoff: Backoff = { firstMs: 200, maxMs: 5000 };

/** The wait before try `failures + 1`: doubling from firstMs up to maxMs, between half and all of it. */
export function backoffDelay(b: Backoff, failures: number, random: () => number = Math.random): number {
  const full = Math.min(b.maxMs, b.firstMs * 2 ** Math.min(failures, 30));
  return Math.round(full / 2 + (random() * full) / 2);
}

/** Waits out the backoff before try `failures + 1`; returns early, without throwing, once `signal` aborts. */
export async function backoffWait(b: Backoff, failures: number, signal: AbortSignal): Promise<void> {
  await delay(backoffDelay(b, failures), undefined, { signal }).catch(() => undefined);
}
