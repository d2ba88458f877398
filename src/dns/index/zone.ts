// One zone (a DNS namespace): its names, each with the record sets and host names put there, and the
// bookkeeping that makes a name exist exactly while it, or a name below it, owns a record.
import type { NamespaceRecord } from '../../model/records.ts';
import { apexLabels, apexRecords, type ApexSettings } from './apex.ts';
import type { HostRef, RrSet } from './rrset.ts';
import { keyOf, parentKey } from '../wire/index.ts';

const NO_SETS: readonly RrSet[] = Object.freeze([]);
const NO_HOSTS: readonly HostRef[] = Object.freeze([]);

export class NameNode {
  sets: readonly RrSet[] = NO_SETS;
  /** SRV target host names: their A/AAAA are the additional records of an SRV record. */
  hosts: readonly HostRef[] = NO_HOSTS;
  /** Record sets and host names at or below this one (an empty non-terminal has none itself). */
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
  /** The apex records (SOA, NS, NS addresses) and where they are, to replace them. */
  private apexSets: { key: string; set: RrSet }[] = [];

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
    for (const { key, set } of this.apexSets) this.removeSet(key, set);
    this.apexSets = [];
    for (const [key, data] of apex.owners) for (const set of data.sets) if (this.addSet(key, set)) this.apexSets.push({ key, set });
  }

  /** Puts a set at `key` (after the sets already there); false when the key is outside the zone. */
  addSet(key: string, set: RrSet): boolean {
    const node = this.claim(key);
    if (!node) return false;
    node.sets = [...node.sets, set];
    return true;
  }

  removeSet(key: string, set: RrSet): void {
    const node = this.names.get(key);
    if (!node || !node.sets.includes(set)) return;
    node.sets = node.sets.filter((s) => s !== set);
    this.release(key);
  }

  /** Puts a host name at its key; false when the key is outside the zone. */
  addHost(host: HostRef): boolean {
    const node = this.claim(host.key);
    if (!node) return false;
    // Nearly every host name has one host: a one-slot array (a spread would reserve 17 slots).
    node.hosts = node.hosts.length === 0 ? [host] : [...node.hosts, host];
    return true;
  }

  removeHost(host: HostRef): void {
    const node = this.names.get(host.key);
    if (!node || !node.hosts.includes(host)) return;
    node.hosts = node.hosts.length === 1 ? NO_HOSTS : node.hosts.filter((h) => h !== host);
    this.release(host.key);
  }

  /** Counts one more record set or host name at `key` and its ancestors; returns its node. */
  private claim(key: string): NameNode | undefined {
    if (!this.within(key)) return undefined;
    for (let k: string | undefined = key; k !== undefined && k !== this.apexKey; k = parentKey(k)) {
      let node = this.names.get(k);
      if (!node) this.names.set(k, (node = new NameNode()));
      node.refs++;
    }
    return this.names.get(key)!;
  }

  /** Counts one fewer at `key` and its ancestors: a name with none left stops existing. */
  private release(key: string): void {
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
