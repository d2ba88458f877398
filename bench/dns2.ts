// Benchmark: answering the same typical queries, in one process, through dns2's public API (what a
// dns2-based server does per query: Packet.parse, a response Packet built from records held in memory,
// toBuffer) and through cairn's responder (prepared bytes), as queries/s and their ratio. No sockets:
// both sides are measured without I/O, which is the same for both. Why cairn writes its own wire format.
//   npx node bench/dns2.ts [--seconds 2]
import { parseArgs } from 'node:util';
import dnsPacket, { type Answer } from 'dns-packet';
import { Packet, type Resource } from 'dns2';
import { Catalog } from '../src/catalog/index.ts';
import { DnsIndex } from '../src/dns/index.ts';
import { Responder } from '../src/dns/serve/index.ts';
import { emptyTables, type Mutation } from '../src/model/changes.ts';
import type { Log } from '../src/model/log.ts';
import { int, ratio, renderTable } from './lib/table.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string' } } });
const seconds = Number(values.seconds ?? 2);

const ZONE = 'bench.test';
const SERVICE = `s17.${ZONE}`;
const TTL = 60;
/** One service of 8 instances with A, AAAA and SRV records: a full MULTIVALUE answer, as in bench/dns.ts. */
const instances = Array.from({ length: 8 }, (_, i) => ({ id: `i${i}`, ipv4: `10.0.17.${i + 1}`, ipv6: `fd00::17:${i + 1}`, port: 8080 }));

// ---- cairn: the catalog indexed into prepared bytes, answered by the responder ---------------------

function cairnResponder(): Responder {
  const catalog = new Catalog();
  const silent = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent } as unknown as Log;
  const index = new DnsIndex(
    {
      vpcs: [],
      recursionCidrs: [],
      upstreams: [],
      apex: { defaultSoaTtl: 15, nsNames: undefined, nsAddresses: [], soaRname: undefined, nsTtl: 172800 },
    },
    silent,
  );
  catalog.subscribe(index);
  catalog.reset({ revision: 0, tables: emptyTables() });
  const mutations: Mutation[] = [
    { table: 'namespaces', key: 'ns', value: { id: 'ns', name: ZONE, type: 'DNS_PUBLIC', httpName: ZONE, createDate: 1, soaTtl: 15 } },
    {
      table: 'services',
      key: 's17',
      value: {
        id: 's17',
        name: 's17',
        namespaceId: 'ns',
        type: 'DNS',
        createDate: 1,
        attributes: {},
        instancesRevision: 0,
        dnsConfig: {
          routingPolicy: 'MULTIVALUE',
          dnsRecords: [
            { type: 'A', ttl: TTL },
            { type: 'AAAA', ttl: TTL },
            { type: 'SRV', ttl: TTL },
          ],
        },
      },
    },
    ...instances.map((i): Mutation => ({
      table: 'instances',
      key: `s17/${i.id}`,
      value: {
        serviceId: 's17',
        id: i.id,
        createDate: 1,
        seq: 1,
        attributes: { AWS_INSTANCE_IPV4: i.ipv4, AWS_INSTANCE_IPV6: i.ipv6, AWS_INSTANCE_PORT: String(i.port) },
      },
    })),
  ];
  catalog.apply({ revision: 1, mutations });
  return new Responder({ zones: index.zones, views: index.views, forwarder: undefined, maxPayload: 1232 });
}

// ---- dns2: the same records as dns2 resources, a response Packet per query ---------------------------

const { TYPE, CLASS } = Packet;
const resource = (r: Partial<Resource> & { type: number }): Resource => ({ name: SERVICE, class: CLASS.IN, ttl: TTL, ...r }) as Resource;
const host = (i: (typeof instances)[number]): string => `${i.id}.${SERVICE}`;
/** What a dns2 server would keep in memory: records by name and type, additional records by name. */
const dns2Records = new Map<string, { answers: Resource[]; additionals: Resource[] }>([
  [`${SERVICE}/${TYPE.A}`, { answers: instances.map((i) => resource({ type: TYPE.A, address: i.ipv4 })), additionals: [] }],
  [
    `${SERVICE}/${TYPE.SRV}`,
    {
      answers: instances.map((i) => resource({ type: TYPE.SRV, priority: 1, weight: 1, port: i.port, target: host(i) })),
      additionals: instances.flatMap((i) => [
        resource({ name: host(i), type: TYPE.A, address: i.ipv4 }),
        resource({ name: host(i), type: TYPE.AAAA, address: i.ipv6 }),
      ]),
    },
  ],
]);

function dns2Respond(msg: Buffer): Buffer {
  const request = Packet.parse(msg);
  const q = request.questions[0]!;
  const response = Packet.createResponseFromRequest(request);
  response.header.aa = 1;
  const found = dns2Records.get(`${q.name.toLowerCase()}/${q.type}`);
  if (found) {
    response.answers.push(...found.answers);
    response.additionals.push(...found.additionals);
  }
  // cairn answers an EDNS query with an OPT: so does this one.
  response.additionals.push({ name: '', type: TYPE.EDNS, class: 1232, ttl: 0, rdata: [] } as unknown as Resource);
  return response.toBuffer();
}

// ---- Measurement -------------------------------------------------------------------------------------

const query = (type: 'A' | 'SRV'): Buffer =>
  dnsPacket.encode({
    id: 4242,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name: SERVICE, type }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as Answer],
  });

/** Answers `msg` for `seconds` (after a short warm-up); queries per second. */
function rate(answer: (msg: Buffer) => unknown, msg: Buffer): number {
  const run = (ms: number): number => {
    const end = performance.now() + ms;
    let n = 0;
    while (performance.now() < end) for (let k = 0; k < 100; k++, n++) answer(msg);
    return n;
  };
  run(300);
  const t = performance.now();
  const n = run(seconds * 1000);
  return n / ((performance.now() - t) / 1000);
}

/** The records of a reply as sorted lines (order within a set is random in cairn's answers). */
function records(reply: Buffer): string[] {
  const p = dnsPacket.decode(reply);
  const line =
    (section: string) =>
    (r: Answer): string =>
      `${section} ${r.name.toLowerCase()} ${'ttl' in r ? r.ttl : ''} ${r.type} ${JSON.stringify((r as { data?: unknown }).data)}`;
  return [...(p.answers ?? []).map(line('an')), ...(p.additionals ?? []).filter((r) => r.type !== 'OPT').map(line('ar'))].sort();
}

const responder = cairnResponder();
const cairnRespond = (msg: Buffer): Buffer => responder.respond(msg, '127.0.0.1', 'udp') as Buffer;
const rows = [];
for (const [label, type] of [
  ['A, 8 records', 'A'],
  ['SRV, 8 records + 16 additional A/AAAA', 'SRV'],
] as const) {
  const msg = query(type);
  const same = JSON.stringify(records(cairnRespond(msg))) === JSON.stringify(records(dns2Respond(msg)));
  if (!same)
    throw new Error(
      `${type}: dns2's answer and cairn's differ:\n${records(dns2Respond(msg)).join('\n')}\n---\n${records(cairnRespond(msg)).join('\n')}`,
    );
  process.stderr.write(`dns2: ${label}\n`);
  const d = rate(dns2Respond, msg);
  const c = rate(cairnRespond, msg);
  rows.push([label, int(d), int(c), ratio(c, d), String(cairnRespond(msg).length), String(dns2Respond(msg).length)]);
}
process.stdout.write(
  renderTable({
    title: `Answering in process: dns2's public API against cairn's prepared bytes (${seconds} s each)`,
    columns: ['query', 'dns2 q/s', 'cairn q/s', 'cairn ÷ dns2', 'cairn bytes', 'dns2 bytes'],
    rows,
    notes: [
      'dns2: Packet.parse, Packet.createResponseFromRequest, the records (prebuilt objects) pushed, an OPT, toBuffer. cairn: Responder.respond on the index built from the same catalog records.',
      'Both answers hold the same records (checked with dns-packet before measuring). One process, one core, no sockets.',
    ],
  }),
);
