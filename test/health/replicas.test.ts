// Health checks shared by replicas on one Redis: each instance probed once per interval in total, and a
// replica that stops or dies hands its instances to the others within two intervals. The in-process
// replicas run on one test clock that flows with real time (heartbeats expire on Redis's clock) and skips
// ahead where a test would otherwise sit through intervals.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CreateServiceCommand,
  DiscoverInstancesRevisionCommand,
  GetInstancesHealthStatusCommand,
  RegisterInstanceCommand,
} from '@aws-sdk/client-servicediscovery';
import { loopbackFlags } from '../../bench/lib/ports.ts';
import { ownerOf } from '../../src/health/sharing.ts';
import { instanceKey } from '../../src/model/records.ts';
import { TestClock } from '../support/clock.ts';
import { eventually } from '../support/eventually.ts';
import { scrape } from '../support/prometheus.ts';
import { seedNamespace } from '../support/seed.ts';
import { newPrefix, startTestServer, type TestServer, type TestServerOptions } from '../support/server.ts';
import { tcpListener, waitFor, type TcpListener } from './listeners.ts';

const INTERVAL = 200;
const healthFlags = ['--health-check-interval', `${INTERVAL}ms`, '--health-check-timeout', '100ms'];

const replicas: TestServer[] = [];
const clock = new TestClock({ flowing: true, settled: () => replicas.every((t) => t.server.health.stats().inFlight === 0) });
/** A replica in this process whose health checks run on the test clock. */
async function startReplica(options: TestServerOptions): Promise<TestServer> {
  const t = await startTestServer({ ...options, healthTimers: clock });
  replicas.push(t);
  return t;
}
const listener = (): Promise<TcpListener> => tcpListener('127.0.0.1', () => clock.now());

async function checkedService(t: TestServer, threshold = 2): Promise<{ id: string; name: string; nsName: string }> {
  const ns = await seedNamespace(t.server, { name: `r${Date.now().toString(36)}.example`, type: 'DNS_PUBLIC' });
  const out = await t.client.send(
    new CreateServiceCommand({
      Name: 'api',
      NamespaceId: ns.id,
      DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 5 }] },
      HealthCheckConfig: { Type: 'TCP', FailureThreshold: threshold },
    }),
  );
  return { id: out.Service!.Id!, name: 'api', nsName: ns.name };
}
const register = (t: TestServer, serviceId: string, id: string, port: number) =>
  t.client.send(
    new RegisterInstanceCommand({
      ServiceId: serviceId,
      InstanceId: id,
      Attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(port) },
    }),
  );

/** Instance ids of which `perReplica` fall to each replica, so every replica has work whatever the hash does. */
function idsSpreadOver(serviceId: string, replicas: string[], perReplica: number): Map<string, string> {
  const owner = new Map<string, string>();
  const count = new Map(replicas.map((r) => [r, 0]));
  for (let i = 0; [...count.values()].some((c) => c < perReplica); i++) {
    const id = `i${i}`;
    const r = ownerOf(instanceKey(serviceId, id), replicas)!;
    if (count.get(r)! < perReplica) {
      owner.set(id, r);
      count.set(r, count.get(r)! + 1);
    }
  }
  return owner;
}

/** The first connection a listener got after `since`, as ms after `since`: moving the clock on, or in real time. */
function firstHitAfter(l: TcpListener, since: number, limitMs: number, skipAhead = true): Promise<number> {
  const check = (): number | undefined => {
    const h = l.hits.find((x) => x > since);
    return h === undefined ? undefined : h - since;
  };
  return skipAhead ? clock.waitFor(check, limitMs, 'a probe') : waitFor(check, limitMs, 'a probe');
}

/** A replica in its own process, so it can be killed without a clean stop. */
async function spawnReplica(replicaId: string, prefix: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      'src/main.ts',
      ...loopbackFlags(),
      '--redis-url',
      inject('redisUrl'),
      '--redis-prefix',
      prefix,
      '--replica-id',
      replicaId,
      ...healthFlags,
      '--log-level',
      'info',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await waitFor(() => (out.includes('cairn is serving') ? true : undefined), 15_000, `replica ${replicaId} to start: ${out}`, 50);
  return child;
}

describe('health checks shared by two replicas on one Redis', () => {
  const prefix = newPrefix();
  let a: TestServer;
  let b: TestServer;
  let child: ChildProcess | undefined;
  let service: { id: string };
  const listeners = new Map<string, TcpListener>();
  let owners: Map<string, string>;

  beforeAll(async () => {
    a = await startReplica({ store: 'redis', prefix, flags: [...healthFlags, '--replica-id', 'hc-a'] });
    b = await startReplica({ store: 'redis', prefix, flags: [...healthFlags, '--replica-id', 'hc-b'] });
    service = await checkedService(a);
    owners = idsSpreadOver(service.id, ['hc-a', 'hc-b'], 3);
    for (const id of owners.keys()) {
      const l = await listener();
      listeners.set(id, l);
      await register(a, service.id, id, l.port);
    }
    await waitFor(
      () =>
        a.server.health.stats().replicas === 2 && b.server.health.stats().replicas === 2 && b.server.health.stats().targets === owners.size
          ? true
          : undefined,
      5000,
      'both replicas to see each other',
    );
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await a.stop();
    await b.stop();
    for (const l of listeners.values()) await l.close();
  });

  it('probes each instance about once per interval in total, each by exactly one replica', async () => {
    const probedByA = new Set(a.server.health.probedKeys());
    const probedByB = new Set(b.server.health.probedKeys());
    for (const [id, owner] of owners) {
      const key = instanceKey(service.id, id);
      expect({ id, a: probedByA.has(key), b: probedByB.has(key) }).toEqual({ id, a: owner === 'hc-a', b: owner === 'hc-b' });
    }
    const start = clock.now();
    await clock.advance(10 * INTERVAL);
    for (const [id, l] of listeners) {
      const n = l.hits.filter((h) => h > start).length;
      expect({ id, n: n >= 8 && n <= 12 }).toEqual({ id, n: true });
    }
  });

  it('shows on /metrics the instances each replica probes: its own share, not every checked instance', async () => {
    const checkedHere = async (t: TestServer) => (await scrape(t.endpoint)).value('cairn_health_checked_instances');
    // A replica starved of CPU can miss a heartbeat and have its share taken over until its next one; the
    // shares are what the replicas settle on, 3 each, and never the 6 checked instances on both.
    await eventually(async () => expect([await checkedHere(a), await checkedHere(b)]).toEqual([3, 3]), 5000);
  });

  it('shows a flip written by the probing replica on the other replica too', async () => {
    const [id] = [...owners].find(([, o]) => o === 'hc-a')!;
    const statusOn = async (t: TestServer) =>
      (await t.client.send(new GetInstancesHealthStatusCommand({ ServiceId: service.id, Instances: [id] }))).Status?.[id];
    await listeners.get(id)!.close();
    await clock.waitFor(
      async () => ((await statusOn(b)) === 'UNHEALTHY' ? true : undefined),
      6 * INTERVAL,
      `${id} to be UNHEALTHY on hc-b`,
    );
    expect(await statusOn(a)).toBe('UNHEALTHY');
    await listeners.get(id)!.reopen();
    await clock.waitFor(
      async () => ((await statusOn(b)) === 'HEALTHY' ? true : undefined),
      6 * INTERVAL,
      `${id} to be HEALTHY again on hc-b`,
    );
  });

  it('hands the instances of a replica that stops to the other within two intervals', async () => {
    const fromB = [...owners].filter(([, o]) => o === 'hc-b').map(([id]) => id);
    await b.stop();
    const stopped = clock.now();
    for (const id of fromB) expect(await firstHitAfter(listeners.get(id)!, stopped, 4 * INTERVAL)).toBeLessThanOrEqual(2 * INTERVAL + 50);
    await clock.advance(5 * INTERVAL);
    const since = clock.now();
    await clock.advance(5 * INTERVAL);
    for (const l of listeners.values()) expect(l.hits.filter((h) => h > since).length).toBeGreaterThanOrEqual(4);
    expect(a.server.health.probedKeys()).toHaveLength(owners.size);
  });

  it('hands the instances of a replica that is killed to the other within two intervals', async () => {
    // A third replica in its own process, named so that it takes some of the instances from hc-a. It runs on
    // the real clock and its heartbeat expires on Redis's, so this test waits in real time, skipping nothing.
    const name = ['hc-c', 'hc-d', 'hc-e', 'hc-f'].find((r) =>
      [...owners.keys()].some((id) => ownerOf(instanceKey(service.id, id), ['hc-a', r]) === r),
    )!;
    const theirs = [...owners.keys()].filter((id) => ownerOf(instanceKey(service.id, id), ['hc-a', name]) === name);
    child = await spawnReplica(name, prefix);
    await waitFor(
      () => (a.server.health.probedKeys().length === owners.size - theirs.length ? true : undefined),
      5000,
      `hc-a to hand ${theirs.join(',')} to ${name}`,
    );
    // The child probes them now.
    const handed = clock.now();
    for (const id of theirs) await firstHitAfter(listeners.get(id)!, handed, 3 * INTERVAL, false);

    child.kill('SIGKILL');
    const killed = clock.now();
    for (const id of theirs)
      expect(await firstHitAfter(listeners.get(id)!, killed, 5 * INTERVAL, false)).toBeLessThanOrEqual(2 * INTERVAL + 50);
    expect(a.server.health.probedKeys()).toHaveLength(owners.size);
  });
});

describe('a replica restart', () => {
  it('flips nothing: the restarted replica starts from the stored status', async () => {
    const prefix = newPrefix();
    const closed = await listener();
    const open = await listener();
    await closed.close();
    let t = await startReplica({ store: 'redis', prefix, flags: healthFlags });
    try {
      const s = await checkedService(t, 2);
      await register(t, s.id, 'sick', closed.port);
      await register(t, s.id, 'fine', open.port);
      const status = async () => (await t.client.send(new GetInstancesHealthStatusCommand({ ServiceId: s.id }))).Status;
      const revision = async () =>
        (await t.client.send(new DiscoverInstancesRevisionCommand({ NamespaceName: s.nsName, ServiceName: s.name }))).InstancesRevision;
      await clock.waitFor(async () => ((await status())?.sick === 'UNHEALTHY' ? true : undefined), 6 * INTERVAL, 'sick to be UNHEALTHY');
      const before = await revision();

      await t.stop();
      t = await startReplica({ store: 'redis', prefix, flags: healthFlags });
      const restarted = clock.now();
      await clock.advance(6 * INTERVAL);
      expect(open.hits.filter((h) => h > restarted).length).toBeGreaterThanOrEqual(4);
      expect(await status()).toEqual({ sick: 'UNHEALTHY', fine: 'HEALTHY' });
      expect(await revision()).toBe(before);

      await closed.reopen();
      await clock.waitFor(async () => ((await status())?.sick === 'HEALTHY' ? true : undefined), 6 * INTERVAL, 'sick to recover');
    } finally {
      await t.stop();
      await closed.close();
      await open.close();
    }
  });
});
