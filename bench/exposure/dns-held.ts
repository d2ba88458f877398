// What held before the fixes and must still hold, measured on DNS: the largest amplification over UDP
// (reply bytes / query bytes) on a realistic registry and on one an attacker registers for the purpose,
// that cairn forwards for no client outside --recursion-cidr, and FORMERR for malformed queries.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import {
  CreateServiceCommand,
  RegisterInstanceCommand,
  type DnsRecord,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import dnsPacket from 'dns-packet';
import { startCairn } from '../lib/cairn.ts';
import { createDnsNamespace, pool } from '../lib/load.ts';
import { client } from './common.ts';
import { encodeQuery, parseReply, tcpExchange, udpExchange } from './dns-wire.ts';

const ALL: DnsRecord[] = [
  { Type: 'A', TTL: 60 },
  { Type: 'AAAA', TTL: 60 },
  { Type: 'SRV', TTL: 60 },
];

async function service(
  c: ServiceDiscoveryClient,
  NamespaceId: string,
  Name: string,
  DnsRecords: DnsRecord[],
  ids: string[],
): Promise<void> {
  const ServiceId = (await c.send(new CreateServiceCommand({ Name, NamespaceId, DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords } })))
    .Service!.Id!;
  await pool(ids, 16, async (InstanceId, i) => {
    await c.send(
      new RegisterInstanceCommand({
        ServiceId,
        InstanceId,
        Attributes: {
          AWS_INSTANCE_IPV4: `10.1.${i >> 8}.${i & 255}`,
          AWS_INSTANCE_IPV6: `fd00:10:1::${i.toString(16)}`,
          AWS_INSTANCE_PORT: '8080',
        },
      }),
    );
  });
}

interface Amp {
  registry: string;
  query: string;
  inBytes: number;
  outBytes: number;
  tc: boolean;
  ratio: number;
}

/** Every query of interest, with and without EDNS, each asked a few times: the largest reply of each. */
async function amplification(port: number, taskId: string): Promise<Amp[]> {
  const cases: [string, string, string[]][] = [
    ['realistic', 'backend.prod.example.com', ['A', 'AAAA', 'SRV', 'ANY']],
    ['realistic', 'web.prod.example.com', ['A', 'ANY']],
    ['realistic', `${taskId}.backend.prod.example.com`, ['A', 'ANY']],
    ['realistic', 'prod.example.com', ['ANY', 'NS', 'SOA']],
    ['realistic', 'missing.prod.example.com', ['A']],
    ['attacker-built', 's.x.io', ['A', 'AAAA', 'SRV', 'ANY']],
    ['attacker-built', 'x.io', ['ANY']],
  ];
  const out: Amp[] = [];
  for (const [registry, name, types] of cases) {
    for (const type of types) {
      for (const edns of [undefined, 1232, 4096]) {
        const query = encodeQuery({ name, type, edns });
        let best: Buffer | undefined;
        // Records are drawn at random per answer: keep the largest of a few.
        for (let i = 0; i < 5; i++) {
          const reply = await udpExchange(port, query);
          if (reply && (!best || reply.length > best.length)) best = reply;
        }
        if (!best) continue;
        const label = `${name.length > 40 ? `<task id>.${name.split('.').slice(1).join('.')}` : name} ${type}${edns === undefined ? ', no EDNS' : `, EDNS ${edns}`}`;
        out.push({
          registry,
          query: label,
          inBytes: query.length,
          outBytes: best.length,
          tc: parseReply(best).tc,
          ratio: best.length / query.length,
        });
      }
    }
  }
  return out;
}

/** A realistic registry and the one an attacker would build; returns a registered InstanceId of the first. */
async function seedRegistries(endpoint: string): Promise<string> {
  const sdk = client(endpoint);
  const prod = await createDnsNamespace(sdk, 'prod.example.com');
  const taskIds = Array.from({ length: 50 }, () => randomBytes(16).toString('hex')); // as ECS names them: 32 hex digits
  await service(sdk, prod, 'backend', ALL, taskIds);
  await service(
    sdk,
    prod,
    'web',
    [{ Type: 'A', TTL: 60 }],
    Array.from({ length: 50 }, (_, i) => `web-${i}`),
  );
  // What anyone who reaches the API (no --credentials) can register to make answers large: short names,
  // InstanceIds of the longest DNS label (63), every record type.
  const x = await createDnsNamespace(sdk, 'x.io');
  await service(
    sdk,
    x,
    's',
    ALL,
    Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')}${'z'.repeat(60)}`),
  );
  sdk.destroy();
  return taskIds[0]!;
}

const worst = (list: Amp[]): Amp => list.reduce((a, b) => (b.ratio > a.ratio ? b : a));
const fmt = (a: Amp): string => `${a.ratio.toFixed(1)}× (${a.query}: ${a.inBytes} → ${a.outBytes} bytes${a.tc ? ', TC' : ''})`;

/** A UDP resolver on loopback that answers every question with 192.0.2.1 and counts what it was asked. */
async function fakeUpstream(): Promise<{ port: number; asked: () => number; close: () => void }> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let asked = 0;
  sock.on('message', (msg, rinfo) => {
    asked++;
    const q = dnsPacket.decode(msg);
    sock.send(
      dnsPacket.encode({
        id: q.id,
        type: 'response',
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
        questions: q.questions,
        answers: [{ name: q.questions![0]!.name, type: 'A', ttl: 60, data: '192.0.2.1' }],
      }),
      rinfo.port,
      rinfo.address,
    );
  });
  return { port: sock.address().port, asked: () => asked, close: () => sock.close() };
}

const rcodeOf = (b: Buffer | undefined): string => (b ? parseReply(b).rcode : 'no answer');
const rcodeByte = (b: Buffer | undefined): number => (b ? b[3]! & 0x0f : -1);

export interface Held {
  rows: [string, string][];
  problems: string[];
}

export async function dnsHeld(): Promise<Held> {
  const rows: [string, string][] = [];
  const problems: string[] = [];
  const cairn = await startCairn({ name: 'held-dns' });
  const upstream = await fakeUpstream();
  try {
    const amps = await amplification(cairn.dnsPort, await seedRegistries(cairn.endpoint));
    const realistic = amps.filter((a) => a.registry === 'realistic');
    rows.push(['largest UDP amplification, realistic registry (50 instances with A, AAAA, SRV)', fmt(worst(realistic))]);
    rows.push(['… without EDNS (512-byte limit)', fmt(worst(realistic.filter((a) => a.query.endsWith('no EDNS'))))]);
    rows.push(['… A query (the common case)', fmt(worst(realistic.filter((a) => / A,/.test(a.query))))]);
    rows.push(['largest UDP amplification, attacker-built registry (short names, 63-octet InstanceIds)', fmt(worst(amps))]);
    rows.push(['… without EDNS', fmt(worst(amps.filter((a) => a.query.endsWith('no EDNS'))))]);
    // The one setting that lowers it: the largest UDP reply cairn sends.
    const small = await startCairn({ name: 'held-dns-512', extraFlags: ['--dns-max-udp-payload', '512'] });
    const capped = await amplification(small.dnsPort, await seedRegistries(small.endpoint));
    await small.stop();
    rows.push([
      'with --dns-max-udp-payload 512: realistic / attacker-built',
      `${fmt(worst(capped.filter((a) => a.registry === 'realistic')))} / ${fmt(worst(capped))}`,
    ]);
    const over = amps.filter((a) => a.outBytes > 1232 || (a.query.endsWith('no EDNS') && a.outBytes > 512));
    if (over.length > 0) problems.push(`replies over the UDP limit: ${over.map((a) => a.query).join(', ')}`);

    // Open resolver: from loopback, the only address this machine can send from.
    const outside = encodeQuery({ name: 'example.org', type: 'A' });
    const byDefault = [await udpExchange(cairn.dnsPort, outside), await tcpExchange(cairn.dnsPort, outside)].map(rcodeOf);
    rows.push(['`example.org A`, RD=1, defaults (no --upstream), UDP / TCP', byDefault.join(' / ')]);
    if (byDefault.some((r) => r !== 'REFUSED')) problems.push(`outside name by default: ${byDefault.join(', ')}`);

    const closed = await startCairn({
      name: 'held-not-recursion',
      extraFlags: ['--upstream', `127.0.0.1:${upstream.port}`, '--recursion-cidr', '10.0.0.0/8'],
    });
    const notAllowed = [await udpExchange(closed.dnsPort, outside), await tcpExchange(closed.dnsPort, outside)].map(rcodeOf);
    const askedThen = upstream.asked();
    await closed.stop();
    rows.push([
      'the same with --upstream, from a client outside --recursion-cidr (10.0.0.0/8 here, so loopback is outside), UDP / TCP',
      `${notAllowed.join(' / ')}; the upstream was asked ${askedThen} times`,
    ]);
    if (notAllowed.some((r) => r !== 'REFUSED') || askedThen > 0)
      problems.push(`forwarding for a client outside --recursion-cidr: ${notAllowed.join(', ')}, upstream asked ${askedThen}`);

    const open = await startCairn({ name: 'held-recursion', extraFlags: ['--upstream', `127.0.0.1:${upstream.port}`] });
    const allowed = rcodeOf(await udpExchange(open.dnsPort, outside));
    const rd0 = rcodeOf(await udpExchange(open.dnsPort, encodeQuery({ name: 'example.org', type: 'A', rd: false })));
    await open.stop();
    rows.push([
      'control: a client inside the default --recursion-cidr (loopback), RD=1 / RD=0',
      `${allowed} (forwarded, upstream asked ${upstream.asked() - askedThen}) / ${rd0}`,
    ]);
    if (rd0 !== 'REFUSED') problems.push(`RD=0 from an allowed client: ${rd0}`);

    // Malformed queries.
    const header = (qd: number): Buffer => Buffer.from([0x12, 0x34, 0x01, 0x00, 0, qd, 0, 0, 0, 0, 0, 0]);
    const question = encodeQuery({ name: 'backend.prod.example.com', type: 'A' }).subarray(12);
    const malformed: [string, Buffer][] = [
      ['QDCOUNT 0', header(0)],
      ['QDCOUNT 2', Buffer.concat([header(2), question, question])],
      ['a compression pointer to itself in the question', Buffer.concat([header(1), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])])],
    ];
    const answers = await Promise.all(malformed.map(async ([what, q]) => [what, rcodeByte(await udpExchange(cairn.dnsPort, q))] as const));
    rows.push(['malformed queries over UDP', answers.map(([what, r]) => `${what}: ${r === 1 ? 'FORMERR' : `rcode ${r}`}`).join('; ')]);
    for (const [what, r] of answers) if (r !== 1) problems.push(`${what}: rcode ${r}, not FORMERR`);
  } finally {
    upstream.close();
    await cairn.stop();
  }
  return { rows, problems };
}
