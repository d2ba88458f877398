// What every zone's apex holds: SOA, NS, and the addresses of NS names inside the zone (glue), written
// once per namespace change. SOA and NS are the apex's own record types (no instance has them).
import type { NamespaceRecord } from '../../model/records.ts';
import {
  asciiLower,
  ipv4Bytes,
  ipv6Bytes,
  keyOf,
  labelsOf,
  RDATA_OFFSET,
  TailWriter,
  TYPE,
  validLabels,
  type Labels,
} from '../wire/index.ts';
import { POLICY, RrSetBuilder, type RrSet } from './rrset.ts';
import { writeAddress } from './types/index.ts';

/** What the apex puts at one owner name. */
export interface OwnerData {
  sets: RrSet[];
}

/** Owner key → what one source puts there. */
export type Owners = Map<string, OwnerData>;

/** Settings that shape every zone's apex (docs/dns.md, "Apex records"). */
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

/** The apex's record types, for the target-offset lookup: an NS record's RDATA is one name. */
export const APEX_TYPES = [
  { code: TYPE.NS, targetOffset: RDATA_OFFSET },
  { code: TYPE.SOA, targetOffset: -1 },
] as const;

export interface SoaFields {
  mname: Labels;
  rname: Labels;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export function writeSoa(w: TailWriter, ttl: number, f: SoaFields): void {
  const s = w.begin(TYPE.SOA, ttl);
  w.name(f.mname);
  w.name(f.rname);
  for (const v of [f.serial, f.refresh, f.retry, f.expire, f.minimum]) w.u32(v);
  w.end(s);
}

export function writeNs(w: TailWriter, ttl: number, target: Labels): void {
  const s = w.begin(TYPE.NS, ttl);
  w.name(target);
  w.end(s);
}

/** The zone apex of a DNS namespace: names are stored as given, DNS writes them lower-cased. */
export const apexLabels = (ns: NamespaceRecord): string[] => labelsOf(asciiLower(ns.name));

function ownerData(owners: Owners, key: string): OwnerData {
  let d = owners.get(key);
  if (!d) owners.set(key, (d = { sets: [] }));
  return d;
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
  const nsNames = (settings.nsNames?.map(labelsOf) ?? [['ns1', ...apex]]).filter(validLabels);
  const rname = settings.soaRname ? labelsOf(settings.soaRname.replace('@', '.')) : ['hostmaster', ...apex];
  const soa = { mname: nsNames[0] ?? ['ns1', ...apex], rname, serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: soaTtl };
  const owners: Owners = new Map();

  const soaSet = new RrSetBuilder(TYPE.SOA);
  writeSoa(soaSet.w, soaTtl, soa);
  soaSet.add(true);
  ownerData(owners, apexKey).sets.push(soaSet.build(POLICY.ALL, APEX_SOURCE)!);

  const addresses = settings.nsAddresses.map((a) => ipv4Bytes(a) ?? ipv6Bytes(a)).filter((b): b is Buffer => b !== undefined);
  const nsSet = new RrSetBuilder(TYPE.NS);
  for (const name of nsNames) {
    const key = keyOf(name);
    const inside = key === apexKey || (key.endsWith(apexKey) && isLabelBoundary(key, key.length - apexKey.length));
    if (inside) for (const a of addresses) writeAddress(nsSet.extra, settings.nsTtl, a);
    writeNs(nsSet.w, settings.nsTtl, name);
    nsSet.add(true);
    if (inside && addresses.length > 0) {
      for (const type of [TYPE.A, TYPE.AAAA]) {
        const b = new RrSetBuilder(type);
        for (const a of addresses.filter((x) => (x.length === 4) === (type === TYPE.A))) {
          writeAddress(b.w, settings.nsTtl, a);
          b.add(true);
        }
        const set = b.build(POLICY.ALL, APEX_SOURCE);
        if (set) ownerData(owners, key).sets.push(set);
      }
    }
  }
  const nsBuilt = nsSet.build(POLICY.ALL, APEX_SOURCE);
  if (nsBuilt) ownerData(owners, apexKey).sets.push(nsBuilt);
  return { owners, soaAuthority: fullRecord(apex, (w) => writeSoa(w, soaTtl, soa)) };
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
