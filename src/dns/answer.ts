// The authoritative lookup (RFC 1034 §4.3.2 over cairn's data, spec §8 step 7-8): CNAME chains,
// positive answers with the routing policy's pick, NODATA and NXDOMAIN with the zone's SOA, and the
// additional records of SRV and NS answers. Records are copied from prepared bytes; owners are
// compression pointers to the question or to the target field that led to the name.
import type { Aliases } from './alias.ts';
import type { Reply } from './reply.ts';
import type { RrSet } from './rrset.ts';
import type { ClientView } from './views.ts';
import { RCODE, TYPE, type AliasTarget, type Rr } from './wire.ts';
import { Zone } from './zone.ts';
import type { Zones } from './zones.ts';

/** RFC 6604 leaves the limit to the server; 8 links is generous for service discovery. */
const MAX_CHAIN = 8;

export class Answerer {
  private readonly zones: Zones;
  private readonly aliases: Aliases;
  private readonly random: () => number;
  // Scratch space reused by every answer (all of this runs synchronously).
  private readonly picked: Rr[] = [];
  private readonly extraRr: Rr[] = [];
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
          const rr = this.picked[0]!;
          const at = r.out.record(ownerAt, rr.tail);
          r.an++;
          this.chain.push(name);
          const next = this.zones.find(rr.targetKey, view);
          // Out of every visible zone: the chain ends here with NOERROR; a resolver follows it.
          if (!(next instanceof Zone) || this.chain.includes(rr.targetKey)) return RCODE.NOERROR;
          z = next;
          name = rr.targetKey;
          ownerAt = at + rr.targetAt;
          continue;
        }
      }

      let wrote = 0;
      for (const set of node.sets) {
        if (qtype === TYPE.ANY || set.type === qtype) wrote += this.writeSet(r, set, ownerAt);
      }
      if (wrote === 0) return negative(r, z, RCODE.NOERROR);
      if (this.extras > 0) this.writeExtras(r);
      return RCODE.NOERROR;
    }
  }

  private writeSet(r: Reply, set: RrSet, ownerAt: number): number {
    const n = set.pick(this.picked, this.random);
    let wrote = 0;
    for (let i = 0; i < n; i++) {
      const rr = this.picked[i]!;
      if (rr.alias !== undefined) {
        wrote += this.writeAlias(r, rr.alias, ownerAt);
        continue;
      }
      const at = r.out.record(ownerAt, rr.tail);
      wrote++;
      if (rr.extra.length > 0) {
        this.extraRr[this.extras] = rr;
        this.extraAt[this.extras] = at + rr.targetAt;
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
      const at = r.out.record(ownerAt, t);
      r.out.setU16(at + 4, ttl >>> 16);
      r.out.setU16(at + 6, ttl & 0xffff);
    }
    return found.tails.length;
  }

  private writeExtras(r: Reply): void {
    r.beginAdditional();
    for (let i = 0; i < this.extras; i++) {
      const rr = this.extraRr[i]!;
      for (const t of rr.extra) {
        r.out.record(this.extraAt[i]!, t);
        r.ar++;
      }
    }
  }
}

/** NXDOMAIN or NODATA: the zone's SOA in the authority section (RFC 2308). */
function negative(r: Reply, z: Zone, rcode: number): number {
  r.out.bytes(z.soaAuthority);
  r.ns++;
  return rcode;
}
