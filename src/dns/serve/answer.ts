// The authoritative lookup (RFC 1034 §4.3.2 over cairn's data; docs/dns.md, "Lookup"): CNAME chains,
// positive answers with the routing policy's pick, NODATA and NXDOMAIN with the zone's SOA, and the
// additional records of SRV and NS answers. Records are copied from prepared bytes; owners are
// compression pointers to the question or to the target field that led to the name.
import { targetKey, targetOffset, Zone, type AliasTarget, type HostRef, type RrSet, type Zones } from '../index/index.ts';
import { RCODE, TYPE } from '../wire/index.ts';
import type { Aliases } from './alias.ts';
import type { ClientView } from './client-views.ts';
import type { Reply } from './reply.ts';

/** RFC 6604 leaves the limit to the server; 8 links is generous for service discovery. */
const MAX_CHAIN = 8;

/** Where a CNAME's target starts in its record: the owner of the next link's records. */
const CNAME_TARGET = targetOffset(TYPE.CNAME);

export class Answerer {
  private readonly zones: Zones;
  private readonly aliases: Aliases;
  private readonly random: () => number;
  // Scratch space reused by every answer (all of this runs synchronously).
  private readonly picked = new Uint32Array(1024);
  private readonly extraSet: RrSet[] = [];
  private readonly extraIndex: number[] = [];
  private readonly extraAt: number[] = [];
  private readonly chain: string[] = [];
  private extras = 0;
  /** Alias targets an answer needed but the cache did not hold (the caller looks them up, then retries). */
  readonly missing: AliasTarget[] = [];

  constructor(zones: Zones, aliases: Aliases, random: () => number) {
    this.zones = zones;
    this.aliases = aliases;
    this.random = random;
  }

  /** Writes answer, authority and additional records for `key`/`qtype` in `zone`; returns the RCODE. */
  answer(r: Reply, zone: Zone, view: ClientView, key: string, qtype: number): number {
    let z = zone;
    let name = key;
    let ownerAt = 12;
    this.extras = 0;
    this.chain.length = 0;
    this.missing.length = 0;

    for (;;) {
      const node = z.names.get(name);
      if (!node) return negative(r, z, RCODE.NXDOMAIN);

      if (qtype !== TYPE.CNAME && qtype !== TYPE.ANY) {
        const cname = node.find(TYPE.CNAME);
        if (cname) {
          if (this.chain.length >= MAX_CHAIN || cname.pick(this.picked, this.random) === 0) return RCODE.NOERROR;
          const i = this.picked[0]!;
          const at = r.out.record(ownerAt, cname.blob, cname.starts[i]!, cname.starts[i + 1]!);
          r.an++;
          this.chain.push(name);
          const target = targetKey(cname, i);
          const next = this.zones.find(target, view);
          // Out of every visible zone: the chain ends here with NOERROR; a resolver follows it.
          if (!(next instanceof Zone) || this.chain.includes(target)) return RCODE.NOERROR;
          z = next;
          name = target;
          ownerAt = at + CNAME_TARGET;
          continue;
        }
      }

      let wrote = 0;
      for (const set of node.sets) {
        if (qtype === TYPE.ANY || set.type === qtype) wrote += this.writeSet(r, set, ownerAt);
      }
      if (node.hosts.length > 0 && (qtype === TYPE.A || qtype === TYPE.AAAA || qtype === TYPE.ANY))
        wrote += writeHost(r, node.hosts, ownerAt, qtype);
      if (wrote === 0) return negative(r, z, RCODE.NOERROR);
      if (this.extras > 0) this.writeExtras(r);
      return RCODE.NOERROR;
    }
  }

  private writeSet(r: Reply, set: RrSet, ownerAt: number): number {
    const n = set.pick(this.picked, this.random);
    const { blob, starts, extras, aliases } = set;
    let wrote = 0;
    for (let k = 0; k < n; k++) {
      const i = this.picked[k]!;
      const alias = aliases?.[i];
      if (alias !== undefined) {
        wrote += this.writeAlias(r, alias, ownerAt);
        continue;
      }
      const at = r.out.record(ownerAt, blob, starts[i]!, starts[i + 1]!);
      wrote++;
      if (extras !== undefined && extras[i + 1]! > extras[i]!) {
        this.extraSet[this.extras] = set;
        this.extraIndex[this.extras] = i;
        this.extraAt[this.extras] = at + targetOffset(set.type);
        this.extras++;
      }
    }
    r.an += wrote;
    return wrote;
  }

  /** The cached addresses of an alias target, TTLs counting down; none (and noted) when not cached. */
  private writeAlias(r: Reply, target: AliasTarget, ownerAt: number): number {
    if (!this.aliases.enabled) return 0;
    const now = Date.now();
    const found = this.aliases.fresh(target, now);
    if (!found) {
      this.missing.push(target);
      return 0;
    }
    const ttl = Math.max(0, Math.floor((found.expires - now) / 1000));
    for (const t of found.tails) {
      const at = r.out.record(ownerAt, t, 0, t.length);
      r.out.setU16(at + 4, ttl >>> 16);
      r.out.setU16(at + 6, ttl & 0xffff);
    }
    return found.tails.length;
  }

  private writeExtras(r: Reply): void {
    r.beginAdditional();
    for (let k = 0; k < this.extras; k++) {
      const set = this.extraSet[k]!;
      const i = this.extraIndex[k]!;
      const blob = set.blob;
      const ownerAt = this.extraAt[k]!;
      for (let p = set.extras![i]!, to = set.extras![i + 1]!; p < to;) {
        const end = p + 10 + ((blob[p + 8]! << 8) | blob[p + 9]!);
        r.out.record(ownerAt, blob, p, end);
        r.ar++;
        p = end;
      }
    }
  }
}

/** The A/AAAA of SRV target host names: the additional records of their SRV record. */
function writeHost(r: Reply, hosts: readonly HostRef[], ownerAt: number, qtype: number): number {
  let wrote = 0;
  for (const h of hosts) {
    const blob = h.set.blob;
    for (let p = h.set.extras![h.index]!, to = h.set.extras![h.index + 1]!; p < to;) {
      const end = p + 10 + ((blob[p + 8]! << 8) | blob[p + 9]!);
      if (qtype === TYPE.ANY || ((blob[p]! << 8) | blob[p + 1]!) === qtype) {
        r.out.record(ownerAt, blob, p, end);
        wrote++;
      }
      p = end;
    }
  }
  r.an += wrote;
  return wrote;
}

/** NXDOMAIN or NODATA: the zone's SOA in the authority section (RFC 2308). */
function negative(r: Reply, z: Zone, rcode: number): number {
  r.out.bytes(z.soaAuthority);
  r.ns++;
  return rcode;
}
