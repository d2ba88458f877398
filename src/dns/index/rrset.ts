// A record set at one name, stored as one buffer of prepared record tails plus offsets (no object per
// record: 100,000 instances must fit in little memory), with the routing policy that picks the records
// of each answer. A service's sets are edited in place, one record at a time, as its instances come,
// change and go: the buffer is copied around the edit, no other record is encoded again.
import { fnv1a } from '../../model/hash.ts';
import type { AliasTarget } from './alias-target.ts';
import { TailWriter } from '../wire/index.ts';

/** ALL: every record (apex, glue). MULTI: up to 8 distinct at random. ONE: a single one. */
export const POLICY = { ALL: 0, MULTI: 1, ONE: 2 } as const;
export type Policy = (typeof POLICY)[keyof typeof POLICY];

/** Route 53 answers at most this many records of a multivalue set. */
export const MULTIVALUE_MAX = 8;

/**
 * An SRV target host name `<InstanceId>.D`: its A/AAAA are the additional records of SRV record
 * `index` of `set` (the index follows the record when records before it are removed).
 */
export class HostRef {
  readonly set: RrSet;
  index: number;
  /** The host name's lookup key. */
  readonly key: string;

  constructor(set: RrSet, index: number, key: string) {
    this.set = set;
    this.index = index;
    this.key = key;
  }
}

/** One record to put into a set: its tail and additional records as ranges of (scratch) buffers. */
export interface RecordBytes {
  tail: Buffer;
  tailEnd: number;
  extra: Buffer;
  extraEnd: number;
  alias: AliasTarget | undefined;
}

/** The instance (or instances, when several produce the same record) behind a record. */
type Owner = string | string[];

const hasOwner = (o: Owner | undefined, id: string): boolean => o === id || (Array.isArray(o) && o.includes(id));

/**
 * A 32-bit hash of an instance id, never 0 (0 marks a record with several owners). Scanning hashes
 * finds an instance's record without comparing id strings, most of which share a long prefix.
 */
function idHash(id: string): number {
  const h = fnv1a(id) | 0; // signed: kept in an Int32Array
  return h === 0 ? 1 : h;
}
const ownerHash = (o: Owner): number => (typeof o === 'string' ? idHash(o) : 0);

type Ints = Uint32Array | Int32Array | Uint8Array;
/**
 * `Ctor.from(items, f)` by index: `from` walks its source with the iteration protocol, an object per
 * element that indexing 100,000 instances paid millions of times.
 */
function typed<T extends Ints, S>(Ctor: new (n: number) => T, items: readonly S[], f: (item: S) => number): T {
  const out = new Ctor(items.length);
  for (let i = 0; i < items.length; i++) out[i] = f(items[i]!);
  return out;
}
/** `a`, or a copy with room for `need` entries (25% more, so appends reallocate rarely). */
function room<T extends Ints>(a: T, need: number): T {
  if (a.length >= need) return a;
  const bigger = new (a.constructor as new (n: number) => T)(need + (need >> 2) + 8);
  bigger.set(a);
  return bigger;
}

export class RrSet {
  readonly type: number;
  readonly policy: Policy;
  /** Which catalog object produced it (a service id, or '@apex'). */
  readonly source: string;
  /**
   * Record tails back to back, then each record's additional records (SRV host addresses, NS glue).
   * An edited set keeps spare room at the end of this and of the arrays below.
   */
  blob: Buffer;
  /** Record i is blob[starts[i], starts[i + 1]) for i < size. */
  starts: Uint32Array;
  /** Record i's additional records are blob[extras[i], extras[i + 1]); undefined when there are none. */
  extras: Uint32Array | undefined;
  /** Alias instances: record i is empty and its addresses are looked up (undefined: no aliases). */
  aliases: (AliasTarget | undefined)[] | undefined;
  /**
   * The record indexes answers are drawn from: the healthy ones, or all when none is healthy (fail
   * open). Shuffled in place: a partial Fisher-Yates shuffle draws each next position uniformly from
   * the rest, so its prefix is a uniform random ordered sample whatever order the array was left in.
   */
  private pool: Uint32Array;
  private poolSize = 0;
  /** How many records an answer carries. */
  answerSize = 0;
  private count: number;
  /** Bytes of `blob` in use. */
  private used: number;
  /** Per record: 1 when it counts as healthy (some instance behind it is not UNHEALTHY). */
  private healthy: Uint8Array;
  /** Per record: the instance id(s) behind it (service sets only: how an instance finds its record). */
  private readonly owners: Owner[] | undefined;
  /** Per record: idHash of its owner, 0 when it has several. */
  private ownerHashes: Int32Array;
  /** Per record: its host name (SRV records of instances with addresses); made with the first one. */
  private hosts: (HostRef | undefined)[] | undefined;

  constructor(b: {
    type: number;
    policy: Policy;
    source: string;
    blob: Buffer;
    starts: Uint32Array;
    extras: Uint32Array | undefined;
    aliases: (AliasTarget | undefined)[] | undefined;
    healthy: Uint8Array;
    owners: Owner[] | undefined;
  }) {
    this.type = b.type;
    this.policy = b.policy;
    this.source = b.source;
    this.blob = b.blob;
    this.starts = b.starts;
    this.count = b.starts.length - 1;
    this.used = b.blob.length;
    this.extras = b.extras;
    this.aliases = b.aliases;
    this.healthy = b.healthy;
    this.owners = b.owners;
    this.ownerHashes = b.owners ? typed(Int32Array, b.owners, ownerHash) : new Int32Array(0);
    this.pool = new Uint32Array(this.count);
    this.refreshPool();
  }

  get size(): number {
    return this.count;
  }

  /** Puts this answer's record indexes into `into[0..count)` and returns count. */
  pick(into: Uint32Array, random: () => number): number {
    const pool = this.pool;
    const k = this.answerSize;
    if (this.policy === POLICY.ALL) {
      for (let i = 0; i < k; i++) into[i] = pool[i]!;
      return k;
    }
    const n = this.poolSize;
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(random() * (n - i));
      const chosen = pool[j]!;
      pool[j] = pool[i]!;
      pool[i] = chosen;
      into[i] = chosen;
    }
    return k;
  }

  // ---- Editing (service sets: built with owners) -----------------------------------------------

  /** The record an instance is behind, or -1. A linear scan: a few µs for a thousand records. */
  indexOf(instanceId: string): number {
    const owners = this.owners!;
    const hashes = this.ownerHashes;
    const h = idHash(instanceId);
    for (let i = 0; i < hashes.length; i++) {
      const x = hashes[i]!;
      if ((x === h || x === 0) && hasOwner(owners[i], instanceId)) return i;
    }
    return -1;
  }

  /** The instances behind record i. */
  ownersOf(i: number): readonly string[] {
    const o = this.owners![i]!;
    return typeof o === 'string' ? [o] : o;
  }

  hostOf(i: number): HostRef | undefined {
    return this.hosts?.[i];
  }

  setHost(i: number, host: HostRef | undefined): void {
    (this.hosts ??= new Array<HostRef | undefined>(this.count))[i] = host;
  }

  isHealthy(i: number): boolean {
    return this.healthy[i] === 1;
  }

  /** Changes whether record i counts as healthy; returns whether it changed. */
  setHealthy(i: number, healthy: boolean): boolean {
    const v = healthy ? 1 : 0;
    if (this.healthy[i] === v) return false;
    this.healthy[i] = v;
    this.refreshPool();
    return true;
  }

  /** The record with these bytes (the same tail, or the same alias target), or -1. */
  find(r: RecordBytes): number {
    const n = this.size;
    if (r.alias) {
      const aliases = this.aliases;
      if (aliases) for (let i = 0; i < n; i++) if (aliases[i]?.key === r.alias.key) return i;
      return -1;
    }
    const { blob, starts } = this;
    const len = r.tailEnd;
    const tailsEnd = starts[n]!;
    const needle = r.tail.subarray(0, len);
    // A native search of the tails, then the record that starts where it matched (if one does).
    for (let from = 0; ;) {
      const pos = blob.indexOf(needle, from);
      if (pos < 0 || pos + len > tailsEnd) return -1;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (starts[mid]! < pos) lo = mid + 1;
        else hi = mid;
      }
      while (lo < n && starts[lo] === pos && starts[lo + 1] === pos) lo++; // alias records are empty
      if (lo < n && starts[lo] === pos && starts[lo + 1]! - pos === len) return lo;
      from = pos + 1;
    }
  }

  /** Whether record i is exactly `r`, additional records included. */
  same(i: number, r: RecordBytes): boolean {
    if (this.aliases?.[i]?.key !== r.alias?.key) return false;
    const { blob, starts, extras } = this;
    if (starts[i + 1]! - starts[i]! !== r.tailEnd || blob.compare(r.tail, 0, r.tailEnd, starts[i], starts[i + 1]) !== 0) return false;
    const es = extras ? extras[i]! : 0;
    const ee = extras ? extras[i + 1]! : 0;
    return ee - es === r.extraEnd && blob.compare(r.extra, 0, r.extraEnd, es, ee) === 0;
  }

  /** Adds an instance behind record i (a duplicate record); the record is healthy when any owner is. */
  addOwner(i: number, instanceId: string, healthy: boolean): void {
    const o = this.owners![i]!;
    this.owners![i] = typeof o === 'string' ? [o, instanceId] : [...o, instanceId];
    this.ownerHashes[i] = 0;
    if (healthy) this.setHealthy(i, true);
  }

  /** Takes an instance from behind record i; returns how many remain (0: remove the record). */
  dropOwner(i: number, instanceId: string): number {
    const o = this.owners![i]!;
    if (typeof o === 'string') return 0;
    const rest = o.filter((x) => x !== instanceId);
    this.owners![i] = rest.length === 1 ? rest[0]! : rest;
    this.ownerHashes[i] = ownerHash(this.owners![i]);
    return rest.length;
  }

  /** Inserts a record at `at` (size: appends). */
  insert(at: number, r: RecordBytes, instanceId: string, healthy: boolean): void {
    this.splice(at, 0, r, instanceId, healthy);
  }

  /** Replaces record i (keeping its place); returns its old host name. */
  replace(i: number, r: RecordBytes, instanceId: string, healthy: boolean): HostRef | undefined {
    const old = this.hosts?.[i];
    this.splice(i, 1, r, instanceId, healthy);
    return old;
  }

  /** Removes record i; returns its host name. */
  remove(i: number): HostRef | undefined {
    const old = this.hosts?.[i];
    this.splice(i, 1, undefined, '', false);
    return old;
  }

  /**
   * Removes `del` records at `at` and inserts `r` there, in place: the bytes after the edit move
   * (memmove), the offsets after it shift, no record is encoded again and nothing is allocated
   * unless the set outgrows its spare room.
   */
  private splice(at: number, del: 0 | 1, r: RecordBytes | undefined, instanceId: string, healthy: boolean): void {
    const n = this.count;
    const tailsEnd = this.starts[n]!;
    const used = this.used;
    const delTail = del ? this.starts[at + 1]! - this.starts[at]! : 0;
    const delExtra = del && this.extras ? this.extras[at + 1]! - this.extras[at]! : 0;
    const ins = r ? 1 : 0;
    const insTail = r ? r.tailEnd : 0;
    const insExtra = r ? r.extraEnd : 0;
    const dT = insTail - delTail;
    const newUsed = used + dT + insExtra - delExtra;
    const m = n - del + ins;

    // Bytes: [before | deleted tail | later tails + earlier extras | deleted extra | later extras].
    if (newUsed > this.blob.length) {
      const bigger = Buffer.allocUnsafe(newUsed + (newUsed >> 2) + 64);
      this.blob.copy(bigger, 0, 0, used);
      this.blob = bigger;
    }
    const blob = this.blob;
    const tAt = this.starts[at]!;
    const eAt = this.extras ? this.extras[at]! : tailsEnd;
    const moveMiddle = () => blob.copyWithin(tAt + insTail, tAt + delTail, eAt);
    const moveEnd = () => blob.copyWithin(eAt + dT + insExtra, eAt + delExtra, used);
    // Move whichever part would otherwise overwrite the other's bytes first.
    if (dT + insExtra >= 0) {
      moveEnd();
      moveMiddle();
    } else {
      moveMiddle();
      moveEnd();
    }
    if (r) {
      r.tail.copy(blob, tAt, 0, insTail);
      r.extra.copy(blob, eAt + dT, 0, insExtra);
    }

    const starts = (this.starts = room(this.starts, m + 1));
    starts.copyWithin(at + 1 + ins, at + 1 + del, n + 1);
    for (let k = at + 1 + ins; k <= m; k++) starts[k] = starts[k]! + dT;
    if (ins) starts[at + 1] = tAt + insTail;

    if (this.extras || insExtra > 0) {
      let extras = this.extras;
      if (!extras) (extras = new Uint32Array(m + 1)).fill(tailsEnd, 0, n + 1);
      extras = this.extras = room(extras, m + 1);
      for (let k = 0; k <= at; k++) extras[k] = extras[k]! + dT;
      extras.copyWithin(at + 1 + ins, at + 1 + del, n + 1);
      const shift = dT + insExtra - delExtra;
      for (let k = at + 1 + ins; k <= m; k++) extras[k] = extras[k]! + shift;
      if (ins) extras[at + 1] = extras[at]! + insExtra;
    }

    const h = (this.healthy = room(this.healthy, m));
    h.copyWithin(at + ins, at + del, n);
    const oh = (this.ownerHashes = room(this.ownerHashes, m));
    oh.copyWithin(at + ins, at + del, n);
    if (ins) {
      h[at] = healthy ? 1 : 0;
      oh[at] = idHash(instanceId);
    }

    if (this.aliases || r?.alias) {
      const aliases = this.aliases ?? new Array<AliasTarget | undefined>(n).fill(undefined);
      if (ins) aliases.splice(at, del, r!.alias);
      else aliases.splice(at, del);
      this.aliases = aliases;
    }
    if (ins) this.owners!.splice(at, del, instanceId);
    else this.owners!.splice(at, del);
    const hosts = this.hosts;
    if (hosts) {
      if (ins) hosts.splice(at, del, undefined);
      else hosts.splice(at, del);
      for (let j = at; j < hosts.length; j++) {
        const x = hosts[j];
        if (x) x.index = j;
      }
    }
    this.count = m;
    this.used = newUsed;
    this.refreshPool();
  }

  /** Draws answers from the healthy records again (in record order), or from all when none is (fail open). */
  private refreshPool(): void {
    const h = this.healthy;
    const n = this.count;
    let healthyCount = 0;
    for (let i = 0; i < n; i++) healthyCount += h[i]!;
    const pool = (this.pool = room(this.pool, n));
    let k = 0;
    for (let i = 0; i < n; i++) if (healthyCount === 0 || h[i]) pool[k++] = i;
    this.poolSize = k;
    this.answerSize = this.policy === POLICY.ALL ? k : this.policy === POLICY.ONE ? Math.min(1, k) : Math.min(MULTIVALUE_MAX, k);
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
  private readonly owners: Owner[] = [];
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

  /** Commits the record written since the last add (made by instance `owner`); returns its index. */
  add(healthy: boolean, alias?: AliasTarget, owner?: string): number {
    const start = this.starts[this.starts.length - 1]!;
    const end = this.tails.pos;
    const id = alias ? `alias:${alias.key}` : this.tails.buf.toString('latin1', start, end);
    const dup = this.seen.get(id);
    if (dup !== undefined) {
      this.tails.pos = start;
      this.extraWriter.pos = this.extraStarts[this.extraStarts.length - 1]!;
      this.healthy[dup] ||= healthy;
      if (owner !== undefined) {
        const o = this.owners[dup]!;
        this.owners[dup] = typeof o === 'string' ? [o, owner] : [...o, owner];
      }
      return dup;
    }
    this.seen.set(id, this.healthy.length);
    this.starts.push(end);
    this.extraStarts.push(this.extraWriter.pos);
    this.healthy.push(healthy);
    this.aliases.push(alias);
    this.owners.push(owner ?? '');
    if (alias) this.hasAliases = true;
    return this.healthy.length - 1;
  }

  get count(): number {
    return this.healthy.length;
  }

  /** The set, or undefined when it has no record. */
  build(policy: Policy, source: string): RrSet | undefined {
    return this.healthy.length === 0 ? undefined : this.finish(policy, source, false);
  }

  /** A set that can be edited record by record later (possibly empty), its records found by owner. */
  buildEditable(policy: Policy, source: string): RrSet {
    return this.finish(policy, source, true);
  }

  private finish(policy: Policy, source: string, editable: boolean): RrSet {
    const tailsEnd = this.tails.pos;
    const blob = Buffer.allocUnsafe(tailsEnd + this.extraWriter.pos);
    this.tails.buf.copy(blob, 0, 0, tailsEnd);
    this.extraWriter.buf.copy(blob, tailsEnd, 0, this.extraWriter.pos);
    return new RrSet({
      type: this.type,
      policy,
      source,
      blob,
      starts: typed(Uint32Array, this.starts, (o) => o),
      extras: this.hasExtras ? typed(Uint32Array, this.extraStarts, (o) => o + tailsEnd) : undefined,
      aliases: this.hasAliases ? this.aliases : undefined,
      healthy: typed(Uint8Array, this.healthy, (h) => (h ? 1 : 0)),
      owners: editable ? this.owners : undefined,
    });
  }
}
