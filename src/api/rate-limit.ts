// Throttling of the discovery operations (docs/cloud-map-api.md#throttling): one token bucket per operation for
// the single account, refused with RequestLimitExceeded. `perSecond` is the DiscoverInstances rate;
// DiscoverInstancesRevision gets three times it, as AWS's default quotas (1,000/s and 3,000/s) do, and
// each bucket holds two seconds' worth, as AWS's burst of 2,000 for DiscoverInstances does.
import { RequestLimitExceeded } from '../model/errors.ts';

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;

  /** rate: tokens per second; burst: capacity (the bucket starts full); now: milliseconds. */
  constructor(rate: number, burst: number, now: () => number = () => performance.now()) {
    this.rate = rate;
    this.burst = burst;
    this.now = now;
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The `admit` gate of buildApi: throttles the two discovery operations, lets everything else through. */
export function discoveryRateLimit(perSecond: number, now?: () => number): (operation: string) => void {
  const buckets = new Map<string, TokenBucket>([
    ['DiscoverInstances', new TokenBucket(perSecond, 2 * perSecond, now)],
    ['DiscoverInstancesRevision', new TokenBucket(3 * perSecond, 6 * perSecond, now)],
  ]);
  return (operation) => {
    const bucket = buckets.get(operation);
    if (bucket && !bucket.take()) throw new RequestLimitExceeded(operation);
  };
}
