// DNS over TCP under hostile clients: a message that trickles in is cut at the deadline of its first
// byte, the connection cap closes the one idle the longest, forwarded queries in flight per connection
// are capped, a client that never reads its answers does not make the server queue them, and the memory
// a flood of partial messages took comes back.
import { fork, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { decode, encodeQuery, framed, tcp, udp } from './dns-client.ts';
import type { ChildMemory, ChildMessage } from './tcp-child.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A UDP upstream that answers every A question with 192.0.2.1 after `delayMs`, counting what it holds. */
async function slowUpstream(delayMs: number): Promise<{ port: number; maxOutstanding: () => number; close: () => void }> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let outstanding = 0;
  let max = 0;
  sock.on('message', (msg, rinfo) => {
    outstanding++;
    max = Math.max(max, outstanding);
    const q = dnsPacket.decode(msg);
    const reply = dnsPacket.encode({
      id: q.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: q.questions,
      answers: [{ name: q.questions![0]!.name, type: 'A', ttl: 60, data: '192.0.2.1' }],
    });
    setTimeout(() => {
      outstanding--;
      sock.send(reply, rinfo.port, rinfo.address);
    }, delayMs);
  });
  return { port: sock.address().port, maxOutstanding: () => max, close: () => sock.close() };
}

/** Reads length-prefixed messages from `socket` as they come. */
function reader(socket: net.Socket): { messages: Buffer[]; next: (n: number, timeoutMs?: number) => Promise<Buffer[]> } {
  const messages: Buffer[] = [];
  let buffered = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      messages.push(Buffer.from(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
      buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
    }
    waiting?.();
  });
  const next = async (n: number, timeoutMs = 3000): Promise<Buffer[]> => {
    const until = Date.now() + timeoutMs;
    while (messages.length < n) {
      if (Date.now() > until) throw new Error(`${messages.length} of ${n} answers`);
      await new Promise<void>((r) => {
        waiting = r;
        setTimeout(r, 50);
      });
    }
    return messages.splice(0, n);
  };
  return { messages, next };
}

async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  return socket;
}

const closed = (socket: net.Socket): Promise<void> =>
  new Promise((r) => {
    if (socket.destroyed) r();
    else socket.once('close', () => r());
  });

describe('DNS over TCP, bounded', () => {
  let t: TestServer;
  let capped: TestServer;
  let up: Awaited<ReturnType<typeof slowUpstream>>;

  beforeAll(async () => {
    up = await slowUpstream(150);
    t = await startTestServer({
      flags: ['--dns-tcp-idle-timeout', '600ms', '--dns-tcp-max-pending', '4', '--upstream', `127.0.0.1:${up.port}`],
    });
    capped = await startTestServer({ flags: ['--dns-tcp-idle-timeout', '10s', '--dns-tcp-max-connections', '5'] });
    for (const s of [t, capped]) {
      const ns = await seedNamespace(s.server, { name: 'bounds.test', type: 'DNS_PUBLIC' });
      const svc = await seedService(s.server, {
        name: 'backend',
        namespaceId: ns.id,
        dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 60 }] },
      });
      await seedInstance(s.server, svc.id, 'backend-1', { AWS_INSTANCE_IPV4: '192.168.10.2' });
    }
  });
  afterAll(async () => {
    await t?.stop();
    await capped?.stop();
    up?.close();
  });

  it('cuts a message that trickles in at --dns-tcp-idle-timeout after its first byte, though bytes keep coming', async () => {
    const socket = await connect(t.server.dnsAddress.port);
    const first = Date.now();
    socket.write(Buffer.from([0xff, 0xff]));
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write(Buffer.from([0x61]));
    }, 200);
    const cut = await Promise.race([closed(socket).then(() => Date.now() - first), sleep(3000).then(() => Infinity)]);
    clearInterval(trickle);
    socket.destroy();
    expect(cut).toBeGreaterThanOrEqual(550);
    expect(cut).toBeLessThan(1100);
  });

  it('at --dns-tcp-max-connections serves a new client and closes the connection idle the longest', async () => {
    const port = capped.server.dnsAddress.port;
    const names = ['a', 'b', 'c', 'd', 'e'];
    const sockets = new Map<string, net.Socket>();
    const readers = new Map<string, ReturnType<typeof reader>>();
    for (const n of names) {
      const s = await connect(port);
      sockets.set(n, s);
      readers.set(n, reader(s));
    }
    const ask = async (n: string, id: number): Promise<number> => {
      sockets.get(n)!.write(framed(encodeQuery({ name: 'backend.bounds.test', id })));
      return decode((await readers.get(n)!.next(1))[0]!).packet.id!;
    };
    // Used in this order, c has been idle the longest when the sixth client arrives.
    let id = 1;
    for (const n of ['c', 'a', 'e', 'b', 'd']) expect(await ask(n, id)).toBe(id++);
    const sixth = await tcp(port, { name: 'backend.bounds.test', id: 600 });
    expect(sixth.packet.id).toBe(600);
    await Promise.race([closed(sockets.get('c')!), sleep(2000)]);
    expect(sockets.get('c')!.destroyed || sockets.get('c')!.readableEnded).toBe(true);
    for (const n of ['a', 'b', 'd', 'e']) expect(await ask(n, id)).toBe(id++);
    for (const s of sockets.values()) s.destroy();
  });

  it('answers every pipelined query, local ones and forwarded ones, with at most --dns-tcp-max-pending forwarded at once', async () => {
    const socket = await connect(t.server.dnsAddress.port);
    const r = reader(socket);
    const asks = Array.from({ length: 24 }, (_, i) =>
      i % 2 === 0 ? encodeQuery({ name: `q${i}.example.org`, id: 1000 + i }) : encodeQuery({ name: 'backend.bounds.test', id: 1000 + i }),
    );
    socket.write(Buffer.concat(asks.map(framed)));
    const answers = (await r.next(24, 5000)).map((m) => decode(m).packet);
    expect(answers.map((p) => p.id).sort()).toEqual(Array.from({ length: 24 }, (_, i) => 1000 + i));
    for (const p of answers) expect(p.rcode).toBe('NOERROR');
    expect(up.maxOutstanding()).toBeLessThanOrEqual(4);
    socket.destroy();
  });

  it('honours a half-close: answers everything sent before it, forwarded ones too, then closes', async () => {
    const socket = await connect(t.server.dnsAddress.port);
    const r = reader(socket);
    const ended = new Promise<void>((res) => socket.once('end', () => res()));
    socket.end(Buffer.concat(Array.from({ length: 6 }, (_, i) => framed(encodeQuery({ name: `half${i}.example.org`, id: 70 + i })))));
    const answers = (await r.next(6, 5000)).map((m) => decode(m).packet.id).sort();
    expect(answers).toEqual([70, 71, 72, 73, 74, 75]);
    await ended;
  });
});

describe('DNS over TCP under a flood (server in its own process)', () => {
  let child: ChildProcess;
  let port: number;
  const messages: ChildMessage[] = [];
  const nextMessage = async (): Promise<ChildMessage> => {
    while (messages.length === 0) await sleep(10);
    return messages.shift()!;
  };
  const memory = async (): Promise<ChildMemory> => {
    child.send('memory');
    const m = await nextMessage();
    if (!('memory' in m)) throw new Error('unexpected message from the child');
    return m.memory;
  };
  const stillServing = async (): Promise<void> => {
    expect((await udp(port, { name: 'big.flood.test', type: 'SRV' })).packet.answers).toHaveLength(8);
    expect((await tcp(port, { name: 'big.flood.test', type: 'SRV' })).packet.answers).toHaveLength(8);
  };

  beforeAll(async () => {
    child = fork(new URL('./tcp-child.ts', import.meta.url), ['--dns-tcp-idle-timeout', '5s', '--dns-tcp-max-connections', '50'], {
      execArgv: ['--expose-gc'],
      stdio: 'inherit',
    });
    child.on('message', (m: ChildMessage) => messages.push(m));
    const first = await nextMessage();
    if (!('port' in first)) throw new Error('the child did not report its port');
    port = first.port;
  });
  afterAll(async () => {
    if (!child) return;
    child.send('stop');
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)]);
    child.kill();
  });

  it('does not queue the answers of a client that never reads them', async () => {
    await stillServing();
    const before = await memory();
    // Per connection 20,000 queries of about 40 bytes whose answers are about 1 KB each: 20 MB that
    // the client never reads, far more than the kernel's socket buffers hold.
    const query = framed(encodeQuery({ name: 'big.flood.test', type: 'SRV', id: 9 }));
    const queries = Buffer.concat(Array.from({ length: 20_000 }, () => query));
    const sockets = await Promise.all(Array.from({ length: 8 }, () => connect(port)));
    for (const s of sockets) s.write(queries);
    await sleep(2000);
    await stillServing();
    const during = await memory();
    for (const s of sockets) s.destroy();
    expect(during.arrayBuffers - before.arrayBuffers).toBeLessThan(4 * 1024 * 1024);
  });

  it('gives back the memory of 2,000 connections each holding a partial 0xFFFF message, serving all along', async () => {
    const before = await memory();
    const partial = Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.alloc(60_000, 0x61)]);
    const flood: net.Socket[] = [];
    for (let i = 0; i < 2000; i++) {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.on('error', () => undefined);
      s.write(partial);
      flood.push(s);
      if (i % 250 === 249) {
        await sleep(100);
        await stillServing();
      }
    }
    await sleep(1000);
    await stillServing();
    for (const s of flood) s.destroy();
    await sleep(500);
    await stillServing();
    const after = await memory();
    expect(after.rss - before.rss).toBeLessThan(40 * 1024 * 1024);
  });
});
