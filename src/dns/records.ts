// What a namespace and its services put in DNS: owner names and their record sets, encoded once when
// the catalog changes (spec §3, §4, §6).
import type { Catalog } from '../catalog/catalog.ts';
import type { InstanceRecord, NamespaceRecord, ServiceRecord } from '../model/records.ts';
import { healthOf } from '../registry/health.ts';
import { POLICY, RrSet, type Policy } from './rrset.ts';
import {
  aaaaTail, addressRr, aliasRr, aTail, asciiLower, cnameRr, fullRecord, ipv4Bytes, ipv6Bytes, keyOf, labelsOf, nsRr, soaRr, soaTail, srvRr,
  TYPE, validLabels, type Labels, type Rr,
} from './wire.ts';

/** Owner key → record sets one source puts there. */
export type Owners = Map<string, RrSet[]>;

/** Settings that shape every zone's apex (spec §0, §6). */
export interface ApexSettings {
  defaultSoaTtl: number;
  /** NS names for every zone; undefined: ns1.<apex>. */
  nsNames: string[] | undefined;
  /** Addresses of the NS names that lie inside a zone (answered and used as glue). */
  nsAddresses: string[];
  soaRname: string | undefined;
  nsTtl: number;
}

export const APEX_SOURCE = '@apex';

/** The zone apex of a DNS namespace: names are stored as given, DNS writes them lower-cased. */
export const apexLabels = (ns: NamespaceRecord): string[] => labelsOf(asciiLower(ns.name));

/** The service name D (spec §3): `service.namespace`, or the apex for a service named '.'. */
export function serviceLabels(ns: NamespaceRecord, service: ServiceRecord): string[] {
  const apex = apexLabels(ns);
  return service.name === '.' ? apex : [...labelsOf(asciiLower(service.name)), ...apex];
}

export interface Apex {
  owners: Owners;
  /** The SOA written out in full, for the authority section of negative answers. */
  soaAuthority: Buffer;
}

/** SOA and NS at the apex, plus A/AAAA for NS names inside the zone when addresses are configured. */
export function apexRecords(ns: NamespaceRecord, settings: ApexSettings): Apex {
  const apex = apexLabels(ns);
  const apexKey = keyOf(apex);
  const soaTtl = ns.soaTtl ?? settings.defaultSoaTtl;
  const nsNames = settings.nsNames?.map(labelsOf) ?? [['ns1', ...apex]];
  const rname = settings.soaRname ? labelsOf(settings.soaRname.replace('@', '.')) : ['hostmaster', ...apex];
  const soa = { mname: nsNames[0] ?? ['ns1', ...apex], rname, serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: soaTtl };

  const owners: Owners = new Map();
  const add = (key: string, set: RrSet): void => {
    const sets = owners.get(key);
    if (sets) sets.push(set); else owners.set(key, [set]);
  };
  add(apexKey, new RrSet(TYPE.SOA, POLICY.ALL, APEX_SOURCE, [soaRr(soaTtl, soa)], []));

  const addresses = settings.nsAddresses.map((a) => ipv4Bytes(a) ?? ipv6Bytes(a)).filter((b): b is Buffer => b !== undefined);
  const nsSet: Rr[] = [];
  for (const name of nsNames) {
    if (!validLabels(name)) continue;
    const key = keyOf(name);
    const inside = key === apexKey || key.endsWith(apexKey) && isLabelBoundary(key, key.length - apexKey.length);
    const glue = inside ? addresses.map((a) => (a.length === 4 ? aTail(settings.nsTtl, a) : aaaaTail(settings.nsTtl, a))) : [];
    nsSet.push(nsRr(settings.nsTtl, name, glue));
    if (inside && addresses.length > 0) {
      for (const type of [TYPE.A, TYPE.AAAA]) {
        const rrs = addresses.filter((a) => (a.length === 4) === (type === TYPE.A)).map((a) => addressRr(settings.nsTtl, a));
        if (rrs.length > 0) add(key, new RrSet(type, POLICY.ALL, APEX_SOURCE, rrs, []));
      }
    }
  }
  if (nsSet.length > 0) add(apexKey, new RrSet(TYPE.NS, POLICY.ALL, APEX_SOURCE, nsSet, []));
  return { owners, soaAuthority: fullRecord(apex, soaTail(soaTtl, soa)) };
}

function isLabelBoundary(key: string, at: number): boolean {
  for (let off = 0; off < key.length; off += key.charCodeAt(off) + 1) if (off === at) return true;
  return false;
}

/** One candidate record and whether its instance counts as healthy. */
interface Candidate { rr: Rr; healthy: boolean }

/** Collects candidates, merging identical records (two instances with one address give one record). */
class CandidateSet {
  private readonly byBytes = new Map<string, Candidate>();
  add(rr: Rr, healthy: boolean): void {
    const id = rr.alias ? `alias:${rr.alias.key}` : rr.tail.toString('latin1');
    const seen = this.byBytes.get(id);
    if (seen) seen.healthy ||= healthy;
    else this.byBytes.set(id, { rr, healthy });
  }
  toSet(type: number, policy: Policy, source: string): RrSet | undefined {
    if (this.byBytes.size === 0) return undefined;
    const all = [...this.byBytes.values()];
    return new RrSet(type, policy, source, all.filter((c) => c.healthy).map((c) => c.rr), all.map((c) => c.rr));
  }
}

const port = (text: string | undefined): number | undefined => {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
};

/**
 * The owners and record sets of one service (spec §3): A/AAAA/SRV/CNAME at D, and for SRV the host
 * names `<InstanceId>.D` with the instance's addresses. A name with no record is not returned.
 */
export function serviceRecords(catalog: Catalog, ns: NamespaceRecord, service: ServiceRecord): Owners {
  const owners: Owners = new Map();
  const config = service.dnsConfig;
  if (!config) return owners;
  const d = serviceLabels(ns, service);
  if (!validLabels(d)) return owners;
  const dKey = keyOf(d);
  const instances = [...catalog.instancesOf(service.id).values()];
  if (instances.length === 0) return owners;
  const healthy = new Map<InstanceRecord, boolean>(instances.map((i) => [i, healthOf(catalog, service, i.id) !== 'UNHEALTHY']));
  const routing: Policy = config.routingPolicy === 'WEIGHTED' ? POLICY.ONE : POLICY.MULTI;
  const atD: RrSet[] = [];
  const hosts: Owners = new Map();
  const src = service.id;

  for (const { type, ttl } of config.dnsRecords) {
    const set = new CandidateSet();
    for (const inst of instances) {
      const a = inst.attributes;
      if (type === 'A' || type === 'AAAA') {
        const addr = type === 'A' ? ipv4Bytes(a.AWS_INSTANCE_IPV4 ?? '') : ipv6Bytes(a.AWS_INSTANCE_IPV6 ?? '');
        const alias = labelsOf(a.AWS_ALIAS_DNS_NAME ?? '');
        if (addr) set.add(addressRr(ttl, addr), healthy.get(inst)!);
        else if (alias.length > 0 && validLabels(alias)) set.add(aliasRr(TYPE[type], alias), healthy.get(inst)!);
      } else if (type === 'CNAME') {
        const target = labelsOf(a.AWS_INSTANCE_CNAME ?? '');
        if (target.length > 0 && validLabels(target)) set.add(cnameRr(ttl, target), healthy.get(inst)!);
      } else if (type === 'SRV') {
        const p = port(a.AWS_INSTANCE_PORT);
        const target: Labels = [...labelsOf(inst.id), ...d];
        if (p === undefined || !validLabels(target)) continue;
        const v4 = ipv4Bytes(a.AWS_INSTANCE_IPV4 ?? '');
        const v6 = ipv6Bytes(a.AWS_INSTANCE_IPV6 ?? '');
        const extra = [...(v4 ? [aTail(ttl, v4)] : []), ...(v6 ? [aaaaTail(ttl, v6)] : [])];
        const rr = srvRr(ttl, 1, 1, p, target, extra);
        set.add(rr, healthy.get(inst)!);
        // Host names carry one instance and answer whatever its health (spec §4).
        const hostSets = hosts.get(rr.targetKey) ?? [];
        if (v4) hostSets.push(new RrSet(TYPE.A, POLICY.ALL, src, [addressRr(ttl, v4)], []));
        if (v6) hostSets.push(new RrSet(TYPE.AAAA, POLICY.ALL, src, [addressRr(ttl, v6)], []));
        if (hostSets.length > 0) hosts.set(rr.targetKey, hostSets);
      }
    }
    const typeCode = TYPE[type];
    // A CNAME set holds exactly one record whatever the policy (RFC 1034 §3.6.2).
    const rrset = set.toSet(typeCode, type === 'CNAME' ? POLICY.ONE : routing, src);
    if (rrset) atD.push(rrset);
  }

  if (atD.length > 0) owners.set(dKey, atD);
  for (const [key, sets] of hosts) {
    const existing = owners.get(key);
    if (existing) existing.push(...sets); else owners.set(key, sets);
  }
  return owners;
}
