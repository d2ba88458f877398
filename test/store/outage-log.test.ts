// Redis away is an expected failure: while it is frozen, writes fail, health flips fail and heartbeats
// fail, and the log says so once when it goes and once, with the duration, when it is back: no line per
// request or retry, and no stack. The same holds for a Redis that refuses writes (out of memory).
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  GetInstancesHealthStatusCommand,
  RegisterInstanceCommand,
} from '@aws-sdk/client-servicediscovery';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackFlags } from '../../bench/lib/ports.ts';
import { loadConfig } from '../../src/config.ts';
import { startServer, type Server } from '../../src/server.ts';
import { tcpListener, type TcpListener } from '../health/listeners.ts';
import { ownRedis, type OwnRedis } from '../support/own-redis.ts';
import { seedNamespace } from '../support/seed.ts';
import { newPrefix, sdkClient } from '../support/server.ts';

interface Line {
  level: number;
  msg: string;
  [k: string]: unknown;
}
const WARN = 40;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('the log while Redis is frozen', () => {
  let redis: OwnRedis;
  let server: Server;
  let probed: TcpListener;
  const raw: string[] = [];
  const lines = (): Line[] => raw.map((l) => JSON.parse(l) as Line);

  beforeAll(async () => {
    redis = await ownRedis();
    probed = await tcpListener();
    const config = loadConfig(
      [
        ...loopbackFlags(),
        '--redis-url',
        redis.url,
        '--redis-prefix',
        newPrefix(),
        '--health-check-interval',
        '200ms',
        '--health-check-timeout',
        '100ms',
      ],
      {},
    );
    // Everything down to debug, so that no level hides a stack.
    server = await startServer(config, {
      log: pino(
        { level: 'debug' },
        {
          write: (s: string) => {
            raw.push(s);
          },
        },
      ),
    });
  });
  afterAll(async () => {
    redis.thaw();
    await server?.stop();
    await probed?.close();
    await redis.stop();
  });

  it('logs one warn when it goes and one info with the duration when it is back, without stacks', async () => {
    const client = sdkClient(`http://127.0.0.1:${server.apiAddress.port}`);
    const ns = await seedNamespace(server, { name: 'outage.example', type: 'DNS_PUBLIC' });
    const service = (
      await client.send(
        new CreateServiceCommand({
          Name: 'checked',
          NamespaceId: ns.id,
          DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 0 }] },
          HealthCheckConfig: { Type: 'TCP', FailureThreshold: 1 },
        }),
      )
    ).Service!.Id!;
    const plain = (
      await client.send(new CreateServiceCommand({ Name: 'plain', NamespaceId: ns.id, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 0 }] } }))
    ).Service!.Id!;
    await client.send(
      new RegisterInstanceCommand({
        ServiceId: service,
        InstanceId: 'probed',
        Attributes: { AWS_INSTANCE_IPV4: probed.host, AWS_INSTANCE_PORT: String(probed.port) },
      }),
    );
    await waitFor(() => probed.hits.length > 0, 2000, 'a first probe');
    const before = raw.length;

    // The probed instance goes down with Redis: every probe from now on asks for a flip that cannot be written.
    redis.freeze();
    await probed.close();
    const frozenAt = Date.now();
    let writes = 0;
    let failed = 0;
    // Writes all through the outage; 4 s outlasts the change feed's blocking read too.
    while (Date.now() - frozenAt < 4000) {
      writes++;
      await client
        .send(new RegisterInstanceCommand({ ServiceId: plain, InstanceId: `i-${writes}`, Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } }))
        .catch((e: Error) => {
          if (e.name === 'ServiceUnavailable') failed++;
        });
      await sleep(20);
    }
    redis.thaw();
    // The flip that could not be written lands once the store is back.
    await waitFor(
      async () => (await client.send(new GetInstancesHealthStatusCommand({ ServiceId: service }))).Status?.probed === 'UNHEALTHY',
      5000,
      'the flip',
    );
    client.destroy();
    // The change feed's connection may reconnect a little later (its back-off reaches 1 s).
    await waitFor(
      () =>
        lines()
          .slice(before)
          .some((l) => l.level === 30 && /Redis.* back/.test(l.msg)),
      3000,
      'a line saying Redis is back',
    );

    expect(failed).toBeGreaterThan(20);
    const during = lines().slice(before);
    const told = JSON.stringify(
      during.filter((l) => l.level >= 30),
      null,
      1,
    );
    const loud = during.filter((l) => l.level >= WARN);
    expect(
      loud.map((l) => l.msg),
      told,
    ).toEqual(['lost the connection to Redis; writes fail with ServiceUnavailable until it is back']);
    const back = during.filter((l) => /^the connection to Redis is back/.test(l.msg));
    expect(
      back.map((l) => l.level),
      told,
    ).toEqual([30]);
    expect(back[0]!.msg).toMatch(/^the connection to Redis is back after \d+\.\d s$/);
    expect(back[0]!.downMs, told).toBeGreaterThan(3000);
    expect(back[0]!.downMs, told).toBeLessThan(7000);
    for (const l of raw.slice(before)) expect(l).not.toMatch(/"stack"|\n\s+at /);
  });

  it('logs once when Redis starts refusing writes (out of memory) and once when it accepts them again', async () => {
    const client = sdkClient(`http://127.0.0.1:${server.apiAddress.port}`);
    const admin = new Redis(redis.url);
    const before = raw.length;
    try {
      await admin.config('SET', 'maxmemory', '1');
      for (let i = 0; i < 5; i++) {
        const e = await client.send(new CreateHttpNamespaceCommand({ Name: `oom-${i}` })).then(
          () => undefined,
          (err: Error) => err,
        );
        expect(e?.message).toMatch(/refused the write \(OOM\)/);
      }
      await admin.config('SET', 'maxmemory', '0');
      await client.send(new CreateHttpNamespaceCommand({ Name: 'accepted' }));
      await client.send(new CreateHttpNamespaceCommand({ Name: 'accepted-too' }));
    } finally {
      client.destroy();
      admin.disconnect();
    }
    const told = lines()
      .slice(before)
      .filter((l) => l.level >= 30);
    expect(told.filter((l) => l.part === 'store').map((l) => [l.level, l.msg])).toEqual([
      [40, 'Redis refuses writes; they fail with ServiceUnavailable until it accepts them'],
      [30, 'Redis accepts writes again'],
    ]);
    // Heartbeats are refused too, and say so once.
    const msgs = told.map((l) => l.msg);
    expect(new Set(msgs).size).toBe(msgs.length);
    for (const l of raw.slice(before)) expect(l).not.toMatch(/"stack"|\n\s+at /);
  });
});
