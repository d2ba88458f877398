// The benchmark data, generated deterministically: one DNS namespace of services with A, AAAA and SRV
// records and N instances each. The same description is loaded into cairn (through the API) and written
// as a zone file for the reference server, and drives the dnsperf query files.
export interface InstanceSpec {
  id: string;
  ipv4: string;
  ipv6: string;
  port: number;
}
export interface ServiceSpec {
  name: string;
  instances: InstanceSpec[];
}
export interface Dataset {
  /** Namespace (zone apex), lower case, no trailing dot. */
  namespace: string;
  services: ServiceSpec[];
  ttl: number;
  soaTtl: number;
  instanceCount: number;
}

export function dataset(services: number, instancesPerService: number, namespace = 'bench.test'): Dataset {
  const out: ServiceSpec[] = [];
  let k = 0;
  for (let s = 0; s < services; s++) {
    const instances: InstanceSpec[] = [];
    for (let i = 0; i < instancesPerService; i++, k++) {
      instances.push({
        id: `i${i}`,
        ipv4: ipv4Of(k),
        ipv6: `fd00::${(k >>> 16).toString(16)}:${(k & 0xffff).toString(16)}`,
        port: 8000 + i,
      });
    }
    out.push({ name: `s${s}`, instances });
  }
  return { namespace, services: out, ttl: 60, soaTtl: 15, instanceCount: services * instancesPerService };
}

const ipv4Of = (k: number): string => `10.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;

/** The zone as cairn serves it (docs/dns.md#names-and-records, #apex-records): SOA/NS at the apex; per service A, AAAA, SRV;
 * per instance host A and AAAA at `<id>.<service>` with the SRV TTL. */
export function zoneFile(d: Dataset): string {
  const lines = [
    `$ORIGIN ${d.namespace}.`,
    `@ ${d.soaTtl} IN SOA ns1.${d.namespace}. hostmaster.${d.namespace}. 1 7200 900 1209600 ${d.soaTtl}`,
    `@ 172800 IN NS ns1.${d.namespace}.`,
  ];
  for (const s of d.services) {
    for (const i of s.instances) lines.push(`${s.name} ${d.ttl} IN A ${i.ipv4}`);
    for (const i of s.instances) lines.push(`${s.name} ${d.ttl} IN AAAA ${i.ipv6}`);
    for (const i of s.instances) lines.push(`${s.name} ${d.ttl} IN SRV 1 1 ${i.port} ${i.id}.${s.name}`);
    for (const i of s.instances) lines.push(`${i.id}.${s.name} ${d.ttl} IN A ${i.ipv4}`, `${i.id}.${s.name} ${d.ttl} IN AAAA ${i.ipv6}`);
  }
  return lines.join('\n') + '\n';
}

/** Query kinds: the service's A, AAAA or SRV set, an instance host name's A, or a name that does not exist. */
export type QueryKind = 'A' | 'AAAA' | 'SRV' | 'HOST' | 'NX';
export type Mix = Partial<Record<QueryKind, number>>;

export const mixes: Record<string, Mix> = {
  A: { A: 95, NX: 5 },
  AAAA: { AAAA: 95, NX: 5 },
  SRV: { SRV: 95, NX: 5 },
  mixed: { A: 40, AAAA: 20, SRV: 20, HOST: 15, NX: 5 },
};

/** A dnsperf input file ("name type" per line) with the mix's proportions, in a fixed pseudo-random order. */
export function queryFile(d: Dataset, mix: Mix, lines = 100_000): string {
  const rand = mulberry32(42);
  const kinds = Object.entries(mix) as [QueryKind, number][];
  const total = kinds.reduce((a, [, w]) => a + w, 0);
  const out: string[] = [];
  for (let n = 0; n < lines; n++) {
    let r = rand() * total;
    let kind: QueryKind = kinds[0]![0];
    for (const [k, w] of kinds) {
      if ((r -= w) < 0) {
        kind = k;
        break;
      }
    }
    out.push(queryLine(d, kind, rand));
  }
  return out.join('\n') + '\n';
}

function queryLine(d: Dataset, kind: QueryKind, rand: () => number): string {
  const s = d.services[Math.floor(rand() * d.services.length)]!;
  switch (kind) {
    case 'A':
    case 'AAAA':
    case 'SRV':
      return `${s.name}.${d.namespace} ${kind}`;
    case 'HOST':
      return `${s.instances[Math.floor(rand() * s.instances.length)]!.id}.${s.name}.${d.namespace} A`;
    case 'NX':
      return `nx${Math.floor(rand() * 1e9)}.${d.namespace} A`;
  }
}

/** A small seeded PRNG, so every run sends the same queries. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
