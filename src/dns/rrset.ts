// A record set at one name, stored as one buffer of prepared record tails plus offsets (no object per
// record: 100,000 instances must fit in little memory), with the routing policy that picks the records
// of each answer. Health is settled when the set is built (it is rebuilt on every health flip).
import { lowerKey, TailWriter, targetOffset, type AliasTarget } from './wire.ts';

/** ALL: every record (apex, glue). MULTI: up to 8 distinct at random. ONE: a single one. */
export const POLICY = { ALL: 0, MULTI: 1, ONE: 2 } as const;
export type Policy = (typeof POLICY)[keyof typeof POLICY];

/** Route 53 answers at most this many records of a multivalue set. */
export const MULTIVALUE_MAX = 8;

export class RrSet {
  readonly type: number;
  readonly policy: Policy;
  /** Which catalog object produced it (a service id, or '@apex'): sets are replaced per source. */
  readonly source: string;
  /** Record tails back to back, then each record's additional records (SRV host addresses, NS glue). */
  readonly blob: Buffer;
  /** Record i is blob[starts[i], starts[i + 1]). */
  readonly starts: Uint32Array;
  /** Record i's additional records are blob[extras[i], extras[i + 1]); undefined when there are none. */
  readonly extras: Uint32Array | undefined;
  /** Alias instances: record i is empty and its addresses are looked up (undefined: no aliases). */
  readonly aliases: readonly (AliasTarget | undefined)[] | undefined;
  /**
   * The record indexes answers are drawn from: the healthy ones, or all when none is healthy (fail
   * open). Shuffled in place: a partial Fisher-Yates shuffle draws each next position uniformly from
   * the rest, so its prefix is a uniform random ordered sample whatever order the array was left in.
   */
  private readonly pool: Uint32Array;
  /** How many records an answer carries. */
  readonly answerSize: number;

  constructor(b: { type: number; policy: Policy; source: string; blob: Buffer; starts: Uint32Array; extras: Uint32Array | undefined; aliases: (AliasTarget | undefined)[] | undefined; pool: Uint32Array }) {
    this.type = b.type;
    this.policy = b.policy;
    this.source = b.source;
    this.blob = b.blob;
    this.starts = b.starts;
    this.extras = b.extras;
    this.aliases = b.aliases;
    this.pool = b.pool;
    const n = b.pool.length;
    this.answerSize = b.policy === POLICY.ALL ? n : b.policy === POLICY.ONE ? Math.min(1, n) : Math.min(MULTIVALUE_MAX, n);
  }

  get size(): number {
    return this.starts.length - 1;
  }

  /** Puts this answer's record indexes into `into[0..count)` and returns count. */
  pick(into: Uint32Array, random: () => number): number {
    const pool = this.pool;
    const k = this.answerSize;
    if (this.policy === POLICY.ALL) {
      for (let i = 0; i < k; i++) into[i] = pool[i]!;
      return k;
    }
    const n = pool.length;
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(random() * (n - i));
      const chosen = pool[j]!;
      pool[j] = pool[i]!;
      pool[i] = chosen;
      into[i] = chosen;
    }
    return k;
  }

  /** Lookup key of the name that ends record i (CNAME target), '' when the type has none. */
  targetKey(i: number): string {
    const at = targetOffset(this.type);
    return at < 0 ? '' : lowerKey(this.blob, this.starts[i]! + at, this.starts[i + 1]! - 1);
  }
}

/**
 * Collects the records of one set. Identical records (two instances with one address) are merged:
 * the record counts as healthy when any of them is.
 */
export class RrSetBuilder {
  private readonly tails = new TailWriter();
  private readonly extraWriter = new TailWriter();
  private readonly starts: number[] = [0];
  private readonly extraStarts: number[] = [0];
  private readonly healthy: boolean[] = [];
  private readonly aliases: (AliasTarget | undefined)[] = [];
  private readonly seen = new Map<string, number>();
  private hasExtras = false;
  private hasAliases = false;
  readonly type: number;

  constructor(type: number) {
    this.type = type;
  }

  /** The writer for the next record's tail; then `add` (or `addAlias`). */
  get w(): TailWriter {
    return this.tails;
  }
  /** The writer for the next record's additional records (before `add`). */
  get extra(): TailWriter {
    this.hasExtras = true;
    return this.extraWriter;
  }

  /** Commits the record written since the last add; returns its index. */
  add(healthy: boolean, alias?: AliasTarget): number {
    const start = this.starts[this.starts.length - 1]!;
    const end = this.tails.pos;
    const id = alias ? `alias:${alias.key}` : this.tails.buf.toString('latin1', start, end);
    const dup = this.seen.get(id);
    if (dup !== undefined) {
      this.tails.pos = start;
      this.extraWriter.pos = this.extraStarts[this.extraStarts.length - 1]!;
      this.healthy[dup] ||= healthy;
      return dup;
    }
    this.seen.set(id, this.healthy.length);
    this.starts.push(end);
    this.extraStarts.push(this.extraWriter.pos);
    this.healthy.push(healthy);
    this.aliases.push(alias);
    if (alias) this.hasAliases = true;
    return this.healthy.length - 1;
  }

  get count(): number {
    return this.healthy.length;
  }

  build(policy: Policy, source: string): RrSet | undefined {
    const n = this.healthy.length;
    if (n === 0) return undefined;
    const tailsEnd = this.tails.pos;
    const blob = Buffer.allocUnsafe(tailsEnd + this.extraWriter.pos);
    this.tails.buf.copy(blob, 0, 0, tailsEnd);
    this.extraWriter.buf.copy(blob, tailsEnd, 0, this.extraWriter.pos);
    const healthyCount = this.healthy.filter(Boolean).length;
    const pool = new Uint32Array(healthyCount > 0 ? healthyCount : n);
    for (let i = 0, k = 0; i < n; i++) if (healthyCount === 0 || this.healthy[i]) pool[k++] = i;
    return new RrSet({
      type: this.type,
      policy,
      source,
      blob,
      starts: Uint32Array.from(this.starts),
      extras: this.hasExtras ? Uint32Array.from(this.extraStarts, (o) => o + tailsEnd) : undefined,
      aliases: this.hasAliases ? this.aliases : undefined,
      pool,
    });
  }
}
