// What a namespace and its instances put in DNS: the apex records, and the record an instance puts in
// each of its service's record sets, encoded once when the catalog changes (spec §3, §4, §6).
import type { RecordType, InstanceRecord, NamespaceRecord, ServiceRecord } from '../../model/records.ts';
import { POLICY, RrSetBuilder, type RrSet } from './rrset.ts';
import { aliasTarget, type AliasTarget } from './alias-target.ts';
import { asciiLower, ipv4Bytes, ipv6Bytes, keyOf, labelsOf, TailWriter, TYPE, validLabels, type Labels } from '../wire/index.ts';

/** What the apex puts at one owner name. */
export interface OwnerData {
  sets: RrSet[];
}

/** Owner key → what one source puts there. */
export type Owners = Map<string, OwnerData>;

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

function ownerData(owners: Owners, key: string): OwnerData {
  let d = owners.get(key);
  if (!d) owners.set(key, (d = { sets: [] }));
  return d;
}

const v4Scratch = Buffer.alloc(4);
/** Parses into the shared 4-byte scratch buffer: no allocation per instance. */
const ipv4 = (text: string | undefined): Buffer | undefined => ipv4Bytes(text, v4Scratch);

const v6Scratch = Buffer.alloc(16);
const ipv6 = (text: string | undefined): Buffer | undefined => (text === undefined ? undefined : ipv6Bytes(text, v6Scratch));

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
  const nsNames = (settings.nsNames?.map(labelsOf) ?? [['ns1', ...apex]]).filter(validLabels);
  const rname = settings.soaRname ? labelsOf(settings.soaRname.replace('@', '.')) : ['hostmaster', ...apex];
  const soa = { mname: nsNames[0] ?? ['ns1', ...apex], rname, serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: soaTtl };
  const owners: Owners = new Map();

  const soaSet = new RrSetBuilder(TYPE.SOA);
  soaSet.w.soa(soaTtl, soa);
  soaSet.add(true);
  ownerData(owners, apexKey).sets.push(soaSet.build(POLICY.ALL, APEX_SOURCE)!);

  const addresses = settings.nsAddresses.map((a) => ipv4Bytes(a) ?? ipv6Bytes(a)).filter((b): b is Buffer => b !== undefined);
  const nsSet = new RrSetBuilder(TYPE.NS);
  for (const name of nsNames) {
    const key = keyOf(name);
    const inside = key === apexKey || (key.endsWith(apexKey) && isLabelBoundary(key, key.length - apexKey.length));
    if (inside) for (const a of addresses) nsSet.extra.address(settings.nsTtl, a);
    nsSet.w.nameRecord(TYPE.NS, settings.nsTtl, name);
    nsSet.add(true);
    if (inside && addresses.length > 0) {
      for (const type of [TYPE.A, TYPE.AAAA]) {
        const b = new RrSetBuilder(type);
        for (const a of addresses.filter((x) => (x.length === 4) === (type === TYPE.A))) { b.w.address(settings.nsTtl, a); b.add(true); }
        const set = b.build(POLICY.ALL, APEX_SOURCE);
        if (set) ownerData(owners, key).sets.push(set);
      }
    }
  }
  const nsBuilt = nsSet.build(POLICY.ALL, APEX_SOURCE);
  if (nsBuilt) ownerData(owners, apexKey).sets.push(nsBuilt);
  return { owners, soaAuthority: fullRecord(apex, (w) => w.soa(soaTtl, soa)) };
}

/** A complete record with its owner written out (no compression): SOA in authority, for example. */
function fullRecord(owner: Labels, write: (w: TailWriter) => void): Buffer {
  const w = new TailWriter();
  w.name(owner);
  write(w);
  return w.take();
}

function isLabelBoundary(key: string, at: number): boolean {
  for (let off = 0; off < key.length; off += key.charCodeAt(off) + 1) if (off === at) return true;
  return false;
}

const port = (text: string | undefined): number | undefined => {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
};

/** What an instance's record of one type needs beyond its bytes: undefined when it has none. */
export interface Encoded {
  /** An AWS_ALIAS_DNS_NAME instance: the record's addresses are looked up at answer time. */
  alias: AliasTarget | undefined;
  /** An SRV record whose target host name `<InstanceId>.D` has addresses (spec §3). */
  host: boolean;
}
const PLAIN: Encoded = Object.freeze({ alias: undefined, host: false });
const WITH_HOST: Encoded = Object.freeze({ alias: undefined, host: true });

/** Where a record is written: its tail, and (SRV) its additional records. */
export interface RecordWriters {
  readonly w: TailWriter;
  readonly extra: TailWriter;
}

/**
 * Writes one instance's record of one DnsRecords entry of a service named `d` (spec §3): A/AAAA from
 * its addresses (or an alias), CNAME from AWS_INSTANCE_CNAME, SRV with the host's addresses as
 * additional records. Returns undefined (and writes nothing) when the instance supplies no such record.
 */
export function encodeInstance(type: RecordType, ttl: number, inst: InstanceRecord, d: Labels, out: RecordWriters): Encoded | undefined {
  const a = inst.attributes;
  if (type === 'A' || type === 'AAAA') {
    const addr = type === 'A' ? ipv4(a.AWS_INSTANCE_IPV4) : ipv6(a.AWS_INSTANCE_IPV6);
    if (addr) {
      out.w.address(ttl, addr);
      return PLAIN;
    }
    if (a.AWS_ALIAS_DNS_NAME) {
      const alias = labelsOf(a.AWS_ALIAS_DNS_NAME);
      if (alias.length > 0 && validLabels(alias)) return { alias: aliasTarget(TYPE[type], alias), host: false };
    }
    return undefined;
  }
  if (type === 'CNAME') {
    const target = labelsOf(a.AWS_INSTANCE_CNAME ?? '');
    if (target.length === 0 || !validLabels(target)) return undefined;
    out.w.nameRecord(TYPE.CNAME, ttl, target);
    return PLAIN;
  }
  const p = port(a.AWS_INSTANCE_PORT);
  const target: Labels = [...labelsOf(inst.id), ...d];
  if (p === undefined || !validLabels(target)) return undefined;
  const v4 = ipv4(a.AWS_INSTANCE_IPV4);
  if (v4) out.extra.address(ttl, v4);
  const v6 = ipv6(a.AWS_INSTANCE_IPV6);
  if (v6) out.extra.address(ttl, v6);
  out.w.srv(ttl, 1, 1, p, target);
  // Host names carry one instance and answer whatever its health (spec §4).
  return v4 || v6 ? WITH_HOST : PLAIN;
}
