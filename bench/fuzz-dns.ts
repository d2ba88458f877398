// Robustness of the DNS server: starts cairn (its own process), loads a small zone through the API, then
// sends 100,000 random datagrams, 10,000 mutated valid queries and a few hundred TCP streams of garbage,
// and checks that it still answers normally, did not crash or log handler failures, and that its
// resident memory did not grow beyond noise.
//   node_modules/.bin/node bench/fuzz-dns.ts [--random N] [--mutated N]
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import {
  CreatePrivateDnsNamespaceCommand, CreatePublicDnsNamespaceCommand, CreateServiceCommand, GetOperationCommand, RegisterInstanceCommand,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import dnsPacket from 'dns-packet';
import { sdkClient, startCairn } from './lib/cairn.ts';

const { values } = parseArgs({ options: { random: { type: 'string', default: '100000' }, mutated: { type: 'string', default: '10000' } } });
const RANDOM = Number(values.random);
const MUTATED = Number(values.mutated);
const RSS_LIMIT_MB = 30;

const rand = (n: number): number => Math.floor(Math.random() * n);
const randomBytes = (n: number): Buffer => { const b = Buffer.allocUnsafe(n); for (let i = 0; i < n; i++) b[i] = rand(256); return b; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function seed(client: ServiceDiscoveryClient): Promise<void> {
  const nsOf = async (OperationId: string | undefined) => (await client.send(new GetOperationCommand({ OperationId }))).Operation!.Targets!.NAMESPACE!;
  const pub = await nsOf((await client.send(new CreatePublicDnsNamespaceCommand({ Name: 'kouzie.com' }))).OperationId);
  const priv = await nsOf((await client.send(new CreatePrivateDnsNamespaceCommand({ Name: 'corp.internal', Vpc: 'vpc-1' }))).OperationId);
  const service = async (NamespaceId: string, Name: string, DnsRecords: { Type: 'A' | 'AAAA' | 'SRV' | 'CNAME'; TTL: number }[], RoutingPolicy: 'MULTIVALUE' | 'WEIGHTED' = 'MULTIVALUE') =>
    (await client.send(new CreateServiceCommand({ NamespaceId, Name, DnsConfig: { RoutingPolicy, DnsRecords } }))).Service!.Id!;
  const backend = await service(pub, 'backend', [{ Type: 'A', TTL: 60 }, { Type: 'AAAA', TTL: 60 }, { Type: 'SRV', TTL: 60 }]);
  for (let i = 0; i < 20; i++) {
    await client.send(new RegisterInstanceCommand({ ServiceId: backend, InstanceId: `backend-${i}`, Attributes: { AWS_INSTANCE_IPV4: `192.168.10.${i}`, AWS_INSTANCE_IPV6: `fd00::${i}`, AWS_INSTANCE_PORT: '8080' } }));
  }
  const www = await service(pub, 'www', [{ Type: 'CNAME', TTL: 300 }], 'WEIGHTED');
  await client.send(new RegisterInstanceCommand({ ServiceId: www, InstanceId: 'w', Attributes: { AWS_INSTANCE_CNAME: 'backend.kouzie.com' } }));
  const db = await service(priv, 'db', [{ Type: 'A', TTL: 10 }]);
  await client.send(new RegisterInstanceCommand({ ServiceId: db, InstanceId: 'db-1', Attributes: { AWS_INSTANCE_IPV4: '10.0.3.4' } }));
}

const validQueries: Buffer[] = [];
for (const [name, type] of [['backend.kouzie.com', 'A'], ['BACKEND.kouzie.com', 'SRV'], ['www.kouzie.com', 'A'], ['kouzie.com', 'ANY'], ['nothere.kouzie.com', 'A'],
  ['db.corp.internal', 'A'], ['example.org', 'A'], ['backend-3.backend.kouzie.com', 'AAAA'], ['kouzie.com', 'NS'], ['kouzie.com', 'SOA']] as const) {
  for (const edns of [true, false]) {
    validQueries.push(dnsPacket.encode({
      id: rand(65536), type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A' }],
      ...(edns ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer] } : {}),
    }));
  }
}

/** One random way to damage a valid query. */
function mutate(q: Buffer): Buffer {
  const b = Buffer.from(q);
  switch (rand(8)) {
    case 0: for (let i = 0, n = 1 + rand(5); i < n; i++) b[rand(b.length)]! ^= 1 << rand(8); return b; // bit flips
    case 1: return b.subarray(0, rand(b.length)); // cut short
    case 2: return Buffer.concat([b, randomBytes(1 + rand(300))]); // trailing garbage
    case 3: b.writeUInt16BE(rand(65536), 4 + 2 * rand(4)); return b; // a section count
    case 4: { const at = 12 + rand(Math.max(1, b.length - 12)); b[at] = 0xc0 | rand(64); if (at + 1 < b.length) b[at + 1] = rand(256); return b; } // compression pointer
    case 5: b[12 + rand(Math.max(1, b.length - 12))] = 64 + rand(192); return b; // bad label length
    case 6: b.writeUInt16BE((rand(16) << 11) | rand(2048), 2); return b; // any flags and opcode
    default: return Buffer.concat([b.subarray(0, 12), randomBytes(rand(40)), b.subarray(12)]); // bytes inserted
  }
}

/** A random datagram; half of them with a plausible query header so they reach the deeper checks. */
function randomDatagram(): Buffer {
  const b = randomBytes(rand(600));
  if (b.length >= 12 && rand(2) === 0) {
    b[2]! &= 0x7f; // QR=0
    b.writeUInt16BE(rand(3), 4);
    b.writeUInt16BE(rand(3), 6); b.writeUInt16BE(rand(3), 8); b.writeUInt16BE(rand(3), 10);
  }
  return b;
}

/** Sends `count` datagrams from 4 sockets in bursts, counting the replies. */
async function blast(port: number, count: number, make: () => Buffer): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: 4 }, () => new Promise<dgram.Socket>((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  })));
  let replies = 0;
  for (const s of sockets) s.on('message', () => { replies++; });
  for (let sent = 0; sent < count; sent++) {
    sockets[sent % 4]!.send(make(), port, '127.0.0.1');
    if (sent % 200 === 199) await sleep(2); // let the server keep up: losses here are not the point
  }
  await sleep(500);
  for (const s of sockets) s.close();
  return replies;
}

/** TCP connections carrying random bytes or random length-prefixed messages; then closed. */
async function tcpGarbage(port: number, connections: number): Promise<void> {
  await Promise.all(Array.from({ length: connections }, (_, i) => new Promise<void>((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    s.on('data', () => undefined);
    s.on('connect', () => {
      if (i % 2 === 0) s.write(randomBytes(rand(3000)));
      else for (let k = 0; k < 20; k++) { const m = mutate(validQueries[rand(validQueries.length)]!); s.write(Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m])); }
      setTimeout(() => s.destroy(), 50 + rand(100));
    });
  })));
}

async function checkAnswers(port: number): Promise<string[]> {
  const problems: string[] = [];
  const q = dnsPacket.encode({ id: 4242, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'backend.kouzie.com', type: 'A' }] });
  const udpReply = await new Promise<Buffer | null>((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolve(null); }, 2000);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m); });
    s.send(q, port, '127.0.0.1');
  });
  const tcpReply = await new Promise<Buffer | null>((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { s.destroy(); resolve(null); }, 2000);
    s.on('error', () => { clearTimeout(timer); resolve(null); });
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { clearTimeout(timer); s.destroy(); resolve(buf.subarray(2)); }
    });
    s.write(Buffer.concat([Buffer.from([0, q.length]), q]));
  });
  for (const [via, raw] of [['udp', udpReply], ['tcp', tcpReply]] as const) {
    if (!raw) { problems.push(`${via}: no answer`); continue; }
    const p = dnsPacket.decode(raw) as dnsPacket.DecodedPacket & { rcode?: string };
    const ok = p.id === 4242 && p.rcode === 'NOERROR' && p.answers?.length === 8 && p.answers.every((a) => a.type === 'A');
    if (!ok) problems.push(`${via}: unexpected answer ${JSON.stringify({ rcode: p.rcode, answers: p.answers?.length })}`);
  }
  return problems;
}

async function main(): Promise<void> {
  const cairn = await startCairn({ name: 'cairn-fuzz', extraFlags: ['--vpc', 'vpc-1=127.0.0.1/32', '--log-level', 'warn'] });
  let exitCode = 0;
  try {
    const client = sdkClient(cairn.endpoint);
    await seed(client);
    client.destroy();
    const port = cairn.dnsPort;
    const crashed = (): boolean => cairn.proc.child.exitCode !== null;

    await blast(port, 10_000, () => validQueries[rand(validQueries.length)]!); // warm up
    await sleep(1000);
    const rssBefore = rssMb(cairn.proc.pid);
    const t0 = performance.now();
    const randomReplies = await blast(port, RANDOM, randomDatagram);
    const mutatedReplies = await blast(port, MUTATED, () => mutate(validQueries[rand(validQueries.length)]!));
    await tcpGarbage(port, 300);
    const seconds = (performance.now() - t0) / 1000;
    await blast(port, 10_000, () => validQueries[rand(validQueries.length)]!);
    await sleep(2000);
    const rssAfter = crashed() ? NaN : rssMb(cairn.proc.pid);
    const problems = crashed() ? [`the server exited (${String(cairn.proc.child.exitCode)})`] : await checkAnswers(port);
    const failures = cairn.proc.log().split('\n').filter((l) => l.includes('dns query failed')).length;
    if (failures > 0) problems.push(`${failures} handler failures logged (see ${cairn.proc.logFile})`);
    const growth = rssAfter - rssBefore;
    if (!(growth < RSS_LIMIT_MB)) problems.push(`RSS grew by ${growth.toFixed(1)} MB (limit ${RSS_LIMIT_MB} MB)`);

    console.log(`random datagrams:      ${RANDOM.toLocaleString()} sent, ${randomReplies.toLocaleString()} replies (FORMERR and friends)`);
    console.log(`mutated valid queries: ${MUTATED.toLocaleString()} sent, ${mutatedReplies.toLocaleString()} replies`);
    console.log(`tcp garbage:           300 connections`);
    console.log(`duration:              ${seconds.toFixed(1)} s`);
    console.log(`server RSS:            ${rssBefore.toFixed(1)} MB before, ${rssAfter.toFixed(1)} MB after (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB)`);
    console.log(problems.length === 0 ? 'result:                OK — still answering normally over UDP and TCP' : `result:                FAILED\n  ${problems.join('\n  ')}`);
    if (problems.length > 0) exitCode = 1;
  } finally {
    await cairn.stop();
  }
  process.exit(exitCode);
}

await main();
