// One zone (a DNS namespace): its names, each with the record sets several sources put there, and
// the bookkeeping that makes a name exist exactly while it, or a name below it, owns a record.
import type { NamespaceRecord } from '../model/records.ts';
import { APEX_SOURCE, apexLabels, apexRecords, type ApexSettings, type HostRef, type OwnerData, type Owners } from './records.ts';
import type { RrSet } from './rrset.ts';
import { keyOf, parentKey } from './wire.ts';

const NO_SETS: readonly RrSet[] = Object.freeze([]);
const NO_HOSTS: readonly HostRef[] = Object.freeze([]);

export class NameNode {
  sets: readonly RrSet[] = NO_SETS;
  /** SRV target host names: their A/AAAA are the additional records of an SRV record. */
  hosts: readonly HostRef[] = NO_HOSTS;
  /** Owned names at or below this one (an empty non-terminal owns nothing and has refs > 0). */
  refs = 0;

  /** The first set of a type, for the CNAME check. */
  find(type: number): RrSet | undefined {
    for (const s of this.sets) if (s.type === type) return s;
    return undefined;
  }
}

export class Zone {
  readonly id: string;
  readonly apexKey: string;
  readonly isPrivate: boolean;
  readonly vpc: string | undefined;
  readonly createDate: number;
  soaAuthority: Buffer = Buffer.alloc(0);
  readonly names = new Map<string, NameNode>();
  /** Owner keys of each source, to take its records away again. */
  private readonly sources = new Map<string, string[]>();

  constructor(ns: NamespaceRecord, settings: ApexSettings) {
    this.id = ns.id;
    this.apexKey = keyOf(apexLabels(ns));
    this.isPrivate = ns.type === 'DNS_PRIVATE';
    this.vpc = ns.vpc;
    this.createDate = ns.createDate;
    // The apex always exists (SOA, NS); its refs never reach zero.
    const apex = new NameNode();
    apex.refs = 1;
    this.names.set(this.apexKey, apex);
    this.setApex(ns, settings);
  }

  setApex(ns: NamespaceRecord, settings: ApexSettings): void {
    const apex = apexRecords(ns, settings);
    this.soaAuthority = apex.soaAuthority;
    this.setSource(APEX_SOURCE, apex.owners);
  }

  /** Replaces everything `source` contributes with `owners` (undefined or empty: removes it). */
  setSource(source: string, owners: Owners | undefined): void {
    const old = this.sources.get(source);
    if (old) for (const key of old) this.detach(key, source);
    if (owners && owners.size > 0) {
      const keys: string[] = [];
      for (const [key, data] of owners) if (this.attach(key, data)) keys.push(key);
      this.sources.set(source, keys);
    } else {
      this.sources.delete(source);
    }
  }

  hasSource(source: string): boolean {
    return this.sources.has(source);
  }

  private attach(key: string, data: OwnerData): boolean {
    if (!this.within(key)) return false;
    for (let k: string | undefined = key; k !== undefined && k !== this.apexKey; k = parentKey(k)) {
      let node = this.names.get(k);
      if (!node) this.names.set(k, (node = new NameNode()));
      node.refs++;
    }
    const node = this.names.get(key)!;
    if (data.sets.length > 0) node.sets = [...node.sets, ...data.sets];
    if (data.hosts.length > 0) node.hosts = node.hosts.length === 0 ? data.hosts : [...node.hosts, ...data.hosts];
    return true;
  }

  private detach(key: string, source: string): void {
    const node = this.names.get(key);
    if (node) {
      if (node.sets.length > 0) node.sets = node.sets.filter((s) => s.source !== source);
      if (node.hosts.length > 0) node.hosts = node.hosts.filter((h) => h.set.source !== source);
    }
    for (let k: string | undefined = key; k !== undefined && k !== this.apexKey; k = parentKey(k)) {
      const n = this.names.get(k);
      if (!n) continue;
      if (--n.refs <= 0) this.names.delete(k);
    }
  }

  /** Whether a key is the apex or below it at a label boundary. */
  within(key: string): boolean {
    if (key === this.apexKey) return true;
    if (!key.endsWith(this.apexKey)) return false;
    for (let k: string | undefined = key; k !== undefined; k = parentKey(k)) if (k === this.apexKey) return true;
    return false;
  }
}
