// SIGTERM under load, on the real process: every API request sent before the signal is answered 2xx
// (none reset), a request still arriving when it came is answered too, the replica leaves the health
// checks' live set at once, DNS answers until its sockets close, and the process exits 0 within 5 s.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import {
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  DiscoverInstancesCommand,
  GetOperationCommand,
  ListInstancesCommand,
  ListNamespacesCommand,
  RegisterInstanceCommand,
} from '@aws-sdk/client-servicediscovery';
import dnsPacket from 'dns-packet';
import { describe, expect, inject, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { adminClient } from '../support/redis-admin.ts';
import { freePort, loopbackFlags } from '../../bench/lib/ports.ts';
import { newPrefix, sdkClient } from '../support/server.ts';

const INSTANCES = 200;
const WORKERS = 6;

interface Sent {
  at: number;
  what: string;
  error?: string;
}

describe('SIGTERM under an API and DNS load', () => {
  it('answers every request sent before it, keeps DNS answering while it drains, and exits 0 within 5 s', async () => {
    const [apiPort, dnsPort] = [await freePort(), await freePort()];
    const prefix = newPrefix();
    const replicaId = `drain-${prefix}`;
    const child = spawn(
      process.execPath,
      [
        'src/main.ts',
        ...loopbackFlags(apiPort, dnsPort),
        ...['--redis-url', inject('redisUrl'), '--redis-prefix', prefix, '--replica-id', replicaId],
      ],
      { cwd: new URL('../../', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; at: number }>((r) => child.once('exit', (code) => r({ code, at: Date.now() })));
    const redis = adminClient(inject('redisUrl'));
    const client = sdkClient(`http://127.0.0.1:${apiPort}`);
    try {
      await eventually(() => expect(out).toContain('cairn is serving'), 15_000, 50);

      // A service big enough that discovering it takes a while.
      const op = await client.send(new CreatePublicDnsNamespaceCommand({ Name: 'drain.example' }));
      const namespaceId = (await client.send(new GetOperationCommand({ OperationId: op.OperationId! }))).Operation!.Targets!.NAMESPACE!;
      const serviceId = (
        await client.send(
          new CreateServiceCommand({ Name: 'big', NamespaceId: namespaceId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 0 }] } }),
        )
      ).Service!.Id!;
      const attributes = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`attribute-${i}`, 'v'.repeat(50)]));
      for (let i = 0; i < INSTANCES; i += 25)
        await Promise.all(
          Array.from({ length: 25 }, (_, j) =>
            client.send(
              new RegisterInstanceCommand({
                ServiceId: serviceId,
                InstanceId: `i-${i + j}`,
                Attributes: { ...attributes, AWS_INSTANCE_IPV4: `10.0.${(i + j) >> 8}.${(i + j) & 255}` },
              }),
            ),
          ),
        );
      expect(await redis.zrange(`{${prefix}}:replicas`, 0, -1)).toContain(replicaId);

      let signalledAt = Infinity;
      let running = true;
      const sent: Sent[] = [];
      const calls = [
        () => client.send(new DiscoverInstancesCommand({ NamespaceName: 'drain.example', ServiceName: 'big', MaxResults: 1000 })),
        () => client.send(new ListInstancesCommand({ ServiceId: serviceId })),
        () => client.send(new ListNamespacesCommand({})),
      ];
      const worker = async (n: number): Promise<void> => {
        for (let i = n; running; i++) {
          const s: Sent = { at: Date.now(), what: `call ${i % calls.length}` };
          sent.push(s);
          try {
            await calls[i % calls.length]!();
          } catch (e) {
            s.error = `${(e as Error).name}: ${(e as Error).message}`;
            // After the signal, refusals of new connections are what a drain does: stop sending.
            if (s.at >= signalledAt) return;
          }
        }
      };
      const dns = dnsLoad(dnsPort);

      const load = Array.from({ length: WORKERS }, (_, n) => worker(n));
      const slow = await slowRequest(apiPort);
      // Enough load in flight to drain: a count of requests, not a time, so that a slow machine gets there too.
      await eventually(() => expect([sent.length > 20, dns.sent() > 80]).toEqual([true, true]), 15_000, 50);
      await new Promise((r) => setTimeout(r, 200));
      signalledAt = Date.now();
      child.kill('SIGTERM');

      // Out of the live set at once, while the drain still waits for the slow request.
      await eventually(async () => expect(await redis.zrange(`{${prefix}}:replicas`, 0, -1)).not.toContain(replicaId), 1000);
      await new Promise((r) => setTimeout(r, 400));
      const finishedSlowAt = Date.now();
      const answer = await slow.finish();
      const { code, at: exitedAt } = await exited;
      running = false;
      await Promise.all(load);
      const queries = dns.stop();

      expect(answer).toMatch(/^HTTP\/1.1 200 /);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      const before = sent.filter((s) => s.at < signalledAt);
      expect(before.length).toBeGreaterThan(20);
      expect(before.filter((s) => s.error !== undefined)).toEqual([]);
      expect(code).toBe(0);
      expect(exitedAt - signalledAt).toBeLessThan(5000);

      // DNS: every query before the signal answered, and answers went on until the drain ended.
      const beforeSignal = queries.filter((q) => q.sentAt < signalledAt);
      expect(beforeSignal.length).toBeGreaterThan(80);
      expect(beforeSignal.filter((q) => q.answeredAt === undefined)).toEqual([]);
      const lastAnswer = Math.max(...queries.flatMap((q) => (q.answeredAt !== undefined ? [q.answeredAt] : [])));
      expect(lastAnswer).toBeGreaterThan(finishedSlowAt - 50);

      const stopped = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; ms?: number })
        .find((l) => l.msg.startsWith('stopped'));
      expect(stopped?.msg).toBe('stopped');
      console.log(
        `drain: exit ${exitedAt - signalledAt} ms after SIGTERM (the server's own count: ${stopped?.ms} ms, ` +
          `${Math.round(finishedSlowAt - signalledAt)} ms of it held by a request in flight); ${before.length} API requests ` +
          `before SIGTERM, ${beforeSignal.length} DNS queries before it and ${queries.filter((q) => q.sentAt >= signalledAt && q.answeredAt !== undefined).length} answered after it`,
      );
    } finally {
      client.destroy();
      redis.disconnect();
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});

/** UDP queries every 2 ms, each with its own id; what was sent when and answered when. */
function dnsLoad(port: number): { sent(): number; stop(): { sentAt: number; answeredAt?: number }[] } {
  const socket = dgram.createSocket('udp4');
  const queries: { sentAt: number; answeredAt?: number }[] = [];
  socket.on('message', (msg) => {
    const q = queries[msg.readUInt16BE(0)];
    if (q) q.answeredAt = Date.now();
  });
  // A few per tick: the SDK's parsing of big answers holds this process's event loop for a while.
  const timer = setInterval(() => {
    for (let i = 0; i < 8 && queries.length < 65536; i++) {
      const id = queries.length;
      queries.push({ sentAt: Date.now() });
      const query = dnsPacket.encode({
        id,
        type: 'query',
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ name: 'big.drain.example', type: 'A' }],
      });
      socket.send(query, port, '127.0.0.1');
    }
  }, 2);
  return {
    sent: () => queries.length,
    stop: () => {
      clearInterval(timer);
      socket.close();
      return queries;
    },
  };
}

/** A request whose headers have arrived and whose body has not: in flight until finish(). */
async function slowRequest(port: number): Promise<{ finish(): Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let response = '';
  socket.on('data', (d: Buffer) => (response += d.toString()));
  const ended = new Promise<void>((r) => socket.once('close', () => r()));
  socket.write(
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n' +
      'X-Amz-Target: Route53AutoNaming_v20170314.ListNamespaces\r\nContent-Length: 10\r\n\r\n{}',
  );
  return {
    finish: async () => {
      socket.write('        ');
      await ended; // the answer closes the connection
      return response;
    },
  };
}
