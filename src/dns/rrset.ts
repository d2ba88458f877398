// A record set at one name, with the routing policy that picks the records of each answer. Health is
// settled when the set is built (it is rebuilt on every health flip), so picking is a few array moves.
import type { Rr } from './wire.ts';

/** ALL: every record (apex, host names). MULTI: up to 8 distinct at random. ONE: a single one. */
export const POLICY = { ALL: 0, MULTI: 1, ONE: 2 } as const;
export type Policy = (typeof POLICY)[keyof typeof POLICY];

/** Route 53 answers at most this many records of a multivalue set. */
export const MULTIVALUE_MAX = 8;

export class RrSet {
  readonly type: number;
  readonly policy: Policy;
  /** Which catalog object produced it (a service id, or '@apex'): sets are replaced per source. */
  readonly source: string;
  /** The records answers are chosen from: the healthy ones, or all when none is healthy (fail open). */
  readonly pool: readonly Rr[];
  /** How many records an answer carries. */
  readonly answerSize: number;
  /**
   * A permutation of pool indexes kept between queries. A partial Fisher-Yates shuffle draws each
   * next position uniformly from the rest, so its prefix is a uniform random ordered sample whatever
   * order the array was left in: no reset, O(answer size) per query.
   */
  private readonly perm: Uint32Array;

  constructor(type: number, policy: Policy, source: string, healthy: readonly Rr[], all: readonly Rr[]) {
    this.type = type;
    this.policy = policy;
    this.source = source;
    this.pool = healthy.length > 0 ? healthy : all;
    const n = this.pool.length;
    this.answerSize = policy === POLICY.ALL ? n : policy === POLICY.ONE ? Math.min(1, n) : Math.min(MULTIVALUE_MAX, n);
    this.perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.perm[i] = i;
  }

  /** Puts this answer's records into `into[0..count)` and returns count. */
  pick(into: Rr[], random: () => number): number {
    const pool = this.pool;
    const k = this.answerSize;
    if (this.policy === POLICY.ALL) {
      for (let i = 0; i < k; i++) into[i] = pool[i]!;
      return k;
    }
    const perm = this.perm;
    const n = perm.length;
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(random() * (n - i));
      const chosen = perm[j]!;
      perm[j] = perm[i]!;
      perm[i] = chosen;
      into[i] = pool[chosen]!;
    }
    return k;
  }
}
