// GET /v1/watch (docs/cloud-map-api.md#watching): a snapshot, then one event per change of the service,
// resumable from Last-Event-ID; its bounds (--watch-max, --watch-max-buffer, --watch-history,
// --watch-heartbeat) and its life beside the HTTP server's own timeouts and shutdown.
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteServiceCommand,
  DeregisterInstanceCommand,
  DiscoverInstancesCommand,
  RegisterInstanceCommand,
  UpdateInstanceCustomHealthStatusCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-servicediscovery';
import type { NamespaceRecord, ServiceRecord } from '../../src/model/records.ts';
import { TestClock } from '../support/clock.ts';
import { eventually } from '../support/eventually.ts';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SseClient, type WatchEvent, type WatchInstance } from '../support/sse.ts';

const watchUrl = (t: TestServer, service: string, namespace = 'kouzie.com') =>
  `${t.endpoint}/v1/watch?namespace=${encodeURIComponent(namespace)}&service=${encodeURIComponent(service)}`;

/** Applies events as a client would: a snapshot replaces the set; a change upserts `instances` and drops deregistered ids. */
function apply(set: Map<string, WatchInstance>, e: WatchEvent): void {
  if (e.event === 'snapshot') set.clear();
  for (const i of e.data.instances) set.set(i.InstanceId, i);
  for (const c of e.data.changes) if (c.type === 'deregister') set.delete(c.instanceId);
}

const open: SseClient[] = [];
const stream = async (url: string, headers: Record<string, string> = {}): Promise<SseClient> => {
  const s = await SseClient.open(url, headers);
  open.push(s);
  return s;
};
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe('GET /v1/watch', () => {
  let t: TestServer;
  let ns: NamespaceRecord;
  let n = 0;
  const register = (s: ServiceRecord, id: string, attributes: Record<string, string> = {}) =>
    t.client.send(new RegisterInstanceCommand({ ServiceId: s.id, InstanceId: id, Attributes: attributes }));
  const deregister = (s: ServiceRecord, id: string) => t.client.send(new DeregisterInstanceCommand({ ServiceId: s.id, InstanceId: id }));
  const fresh = (extra: Partial<ServiceRecord> = {}) => seedService(t.server, { name: `svc${n++}`, namespaceId: ns.id, ...extra });

  beforeAll(async () => {
    t = await startTestServer();
    ns = await seedNamespace(t.server, { name: 'kouzie.com', type: 'HTTP' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('opens with a snapshot of every instance, then one event per register, attribute change, health flip and deregister', async () => {
    const backend = await seedService(t.server, { name: 'backend', namespaceId: ns.id, healthCheckCustomConfig: { failureThreshold: 1 } });
    await register(backend, 'b1', { AWS_INSTANCE_IPV4: '10.0.0.1' });
    const s = await stream(watchUrl(t, 'backend'));
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const b1 = {
      InstanceId: 'b1',
      NamespaceName: 'kouzie.com',
      ServiceName: 'backend',
      HealthStatus: 'HEALTHY',
      Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' },
    };
    expect(await s.next()).toEqual({
      id: '1',
      event: 'snapshot',
      data: { namespace: 'kouzie.com', service: 'backend', revision: 1, instances: [b1], changes: [] },
    });

    await register(backend, 'b2', { AWS_INSTANCE_IPV4: '10.0.0.2' });
    const b2 = { ...b1, InstanceId: 'b2', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.2' } };
    expect(await s.next()).toEqual({
      id: '2',
      event: 'change',
      data: {
        namespace: 'kouzie.com',
        service: 'backend',
        revision: 2,
        instances: [b2],
        changes: [{ type: 'register', instanceId: 'b2' }],
      },
    });

    await register(backend, 'b2', { AWS_INSTANCE_IPV4: '10.0.0.3', zone: 'a' });
    const updated = await s.next();
    expect(updated).toMatchObject({ id: '3', event: 'change', data: { revision: 3, changes: [{ type: 'update', instanceId: 'b2' }] } });
    expect(updated.data.instances).toEqual([{ ...b2, Attributes: { AWS_INSTANCE_IPV4: '10.0.0.3', zone: 'a' } }]);

    await t.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: backend.id, InstanceId: 'b1', Status: 'UNHEALTHY' }));
    expect(await s.next()).toEqual({
      id: '4',
      event: 'change',
      data: {
        namespace: 'kouzie.com',
        service: 'backend',
        revision: 4,
        instances: [{ ...b1, HealthStatus: 'UNHEALTHY' }],
        changes: [{ type: 'health', instanceId: 'b1', healthStatus: 'UNHEALTHY' }],
      },
    });

    await deregister(backend, 'b2');
    expect(await s.next()).toEqual({
      id: '5',
      event: 'change',
      data: {
        namespace: 'kouzie.com',
        service: 'backend',
        revision: 5,
        instances: [],
        changes: [{ type: 'deregister', instanceId: 'b2' }],
      },
    });
    expect(s.unread).toBe(0);
  });

  it('carries what a client needs to keep the same set DiscoverInstances returns (HealthStatus ALL)', async () => {
    const svc = await fresh({ healthCheckCustomConfig: { failureThreshold: 1 } });
    await register(svc, 'a', { k: '1' });
    const s = await stream(watchUrl(t, svc.name));
    const set = new Map<string, WatchInstance>();
    apply(set, await s.next());
    const steps: (() => Promise<unknown>)[] = [
      () => register(svc, 'b', { k: '2' }),
      () => register(svc, 'c', { AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' }),
      () => register(svc, 'a', { k: '3' }),
      () => t.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc.id, InstanceId: 'b', Status: 'UNHEALTHY' })),
      () => deregister(svc, 'a'),
      () => t.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc.id, InstanceId: 'c', Status: 'HEALTHY' })),
    ];
    for (const step of steps) {
      await step();
      apply(set, await s.next());
      const { Instances } = await t.client.send(
        new DiscoverInstancesCommand({ NamespaceName: 'kouzie.com', ServiceName: svc.name, HealthStatus: 'ALL' }),
      );
      const byId = (a: { InstanceId?: string }, b: { InstanceId?: string }) => (a.InstanceId ?? '').localeCompare(b.InstanceId ?? '');
      expect([...set.values()].sort(byId)).toEqual([...(Instances ?? [])].sort(byId));
    }
  });

  it('resumes from Last-Event-ID with only the events after it, without a snapshot', async () => {
    const svc = await fresh();
    await register(svc, 'a');
    const first = await stream(watchUrl(t, svc.name));
    const snap = await first.next();
    expect(snap.id).toBe('1');
    first.close();
    await register(svc, 'b');
    await register(svc, 'c');
    await deregister(svc, 'a');

    const resumed = await stream(watchUrl(t, svc.name), { 'last-event-id': '1' });
    expect((await resumed.next()).data).toMatchObject({ revision: 2, changes: [{ type: 'register', instanceId: 'b' }] });
    expect((await resumed.next()).data).toMatchObject({ revision: 3, changes: [{ type: 'register', instanceId: 'c' }] });
    const last = await resumed.next();
    expect(last).toMatchObject({ id: '4', event: 'change', data: { changes: [{ type: 'deregister', instanceId: 'a' }] } });
    expect(resumed.events.map((e) => e.event)).toEqual(['change', 'change', 'change']);
  });

  it('sends nothing on resuming at the current revision, then the next change', async () => {
    const svc = await fresh();
    await register(svc, 'a');
    const s = await stream(watchUrl(t, svc.name), { 'last-event-id': '1' });
    await register(svc, 'b');
    const e = await s.next();
    expect(e).toMatchObject({ id: '2', event: 'change', data: { changes: [{ type: 'register', instanceId: 'b' }] } });
    expect(s.events).toHaveLength(1);
  });

  it('sends a snapshot for a Last-Event-ID this service never had', async () => {
    const svc = await fresh();
    await register(svc, 'a');
    for (const id of ['7', 'x', '-1', '1.5']) {
      const s = await stream(watchUrl(t, svc.name), { 'last-event-id': id });
      expect(await s.next()).toMatchObject({ id: '1', event: 'snapshot', data: { instances: [{ InstanceId: 'a' }] } });
    }
  });

  it('sends a snapshot when a health check is added to the service (every status changes)', async () => {
    const dnsNs = await seedNamespace(t.server, { name: 'checked.example', type: 'DNS_PUBLIC' });
    const svc = await seedService(t.server, {
      name: 'web',
      namespaceId: dnsNs.id,
      type: 'DNS_HTTP',
      dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 10 }] },
    });
    await register(svc, 'w1', { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80' });
    const s = await stream(watchUrl(t, 'web', 'checked.example'));
    expect((await s.next()).data.instances).toMatchObject([{ InstanceId: 'w1', HealthStatus: 'UNKNOWN' }]);
    await t.client.send(
      new UpdateServiceCommand({
        Id: svc.id,
        Service: { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] }, HealthCheckConfig: { Type: 'TCP', FailureThreshold: 1 } },
      }),
    );
    expect(await s.next()).toMatchObject({
      id: '2',
      event: 'snapshot',
      data: { instances: [{ InstanceId: 'w1', HealthStatus: 'HEALTHY' }] },
    });
  });

  it("ends the stream when the service is deleted, resetting the client's last event id", async () => {
    const svc = await fresh();
    await register(svc, 'a');
    const s = await stream(watchUrl(t, svc.name));
    await s.next();
    await deregister(svc, 'a');
    await t.client.send(new DeleteServiceCommand({ Id: svc.id }));
    await s.closed();
    expect(s.events.map((e) => e.data.changes)).toEqual([[], [{ type: 'deregister', instanceId: 'a' }]]);
    // Last, an empty id: a reconnect then asks for a snapshot, never for revisions of a service made later under this name.
    expect(s.body.endsWith('\n\nid\n\n')).toBe(true);
    await eventually(() => expect(t.server.watches.watches).toBe(0));
  });

  it('refuses what it cannot watch in the AWS error shape', async () => {
    const cases: [string, number, string][] = [
      [watchUrl(t, 'backend', 'nowhere.example'), 400, 'NamespaceNotFound'],
      [watchUrl(t, 'nothing-here'), 400, 'ServiceNotFound'],
      [`${t.endpoint}/v1/watch?namespace=kouzie.com`, 400, 'InvalidInput'],
      [`${watchUrl(t, 'backend')}&service=other`, 400, 'InvalidInput'],
      [`${watchUrl(t, 'backend')}&since=3`, 400, 'InvalidInput'],
    ];
    for (const [url, status, type] of cases) {
      const s = await stream(url);
      await s.closed();
      expect([s.status, (JSON.parse(s.body) as { __type: string }).__type], url).toEqual([status, type]);
      expect(s.headers['x-amzn-errortype']).toBe(type);
    }
  });
});

describe('GET /v1/watch bounds', () => {
  const servers: TestServer[] = [];
  const server = async (flags: string[], options: Parameters<typeof startTestServer>[0] = {}) => {
    const t = await startTestServer({ ...options, flags });
    servers.push(t);
    const ns = await seedNamespace(t.server, { name: 'kouzie.com', type: 'HTTP' });
    const svc = await seedService(t.server, { name: 'backend', namespaceId: ns.id });
    return { t, svc };
  };
  afterAll(async () => {
    await Promise.all(servers.map((t) => t.stop()));
  });

  it('writes every event to every stream, in order, when a service has more streams than one turn writes', async () => {
    const { t, svc } = await server([]);
    const streams = await Promise.all(Array.from({ length: 800 }, () => SseClient.open(watchUrl(t, 'backend'))));
    open.push(...streams);
    await Promise.all(streams.map((s) => s.next()));
    for (const id of ['a', 'b', 'c']) await seedInstance(t.server, svc.id, id, {}); // the next lands while the last is still going out
    const seen = await Promise.all(streams.map(async (s) => [(await s.next()).id, (await s.next()).id, (await s.next()).id].join()));
    expect(new Set(seen)).toEqual(new Set(['1,2,3']));
    expect(streams.every((s) => s.unread === 0)).toBe(true);
  });

  it('refuses a watch beyond --watch-max with 429 ThrottlingException, and takes one again when one closes', async () => {
    const { t } = await server(['--watch-max', '2']);
    const a = await stream(watchUrl(t, 'backend'));
    await stream(watchUrl(t, 'backend'));
    const refused = await stream(watchUrl(t, 'backend'));
    await refused.closed();
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ __type: 'ThrottlingException' });
    const query = await fetch(`${t.endpoint}/v1/namespaces/kouzie.com/services/backend/instances?revision=0&wait=1s`);
    expect([query.status, ((await query.json()) as { __type: string }).__type]).toEqual([429, 'ThrottlingException']);
    a.close();
    await eventually(() => expect(t.server.watches.watches).toBe(1));
    const again = await stream(watchUrl(t, 'backend'));
    expect(again.status).toBe(200);
    expect((await again.next()).event).toBe('snapshot');
  });

  it('sends a snapshot when the events after Last-Event-ID are no longer in --watch-history', async () => {
    const { t, svc } = await server(['--watch-history', '3KiB']);
    await seedInstance(t.server, svc.id, 'a', {});
    const big = { note: 'x'.repeat(900) };
    for (const id of ['b', 'c', 'd']) await seedInstance(t.server, svc.id, id, big); // ~1.2 KiB each: b's is pushed out
    const s = await stream(watchUrl(t, 'backend'), { 'last-event-id': '1' });
    const e = await s.next();
    expect(e).toMatchObject({ id: '4', event: 'snapshot' });
    expect(e.data.instances.map((i) => i.InstanceId)).toEqual(['a', 'b', 'c', 'd']);
    // Still held: the last two events.
    const recent = await stream(watchUrl(t, 'backend'), { 'last-event-id': '2' });
    expect((await recent.next()).data.changes).toEqual([{ type: 'register', instanceId: 'c' }]);
    expect((await recent.next()).data.changes).toEqual([{ type: 'register', instanceId: 'd' }]);
  });

  it('sends a heartbeat comment every --watch-heartbeat', async () => {
    const clock = new TestClock();
    const { t } = await server(['--watch-heartbeat', '15s'], { timers: clock });
    const s = await stream(watchUrl(t, 'backend'));
    await s.next();
    await clock.advance(14_000);
    expect(s.comments).toEqual([]);
    await clock.advance(1_000);
    await eventually(() => expect(s.comments).toEqual(['ping']));
    await clock.advance(15_000);
    await eventually(() => expect(s.comments).toEqual(['ping', 'ping']));
  });

  it('is not cut off by --api-request-timeout or --api-keep-alive-timeout', async () => {
    const { t, svc } = await server([
      '--api-request-timeout',
      '200ms',
      '--api-headers-timeout',
      '200ms',
      '--api-keep-alive-timeout',
      '100ms',
    ]);
    const s = await stream(watchUrl(t, 'backend'));
    await s.next();
    await new Promise((r) => setTimeout(r, 800)); // four request timeouts; the server sweeps every 100 ms
    await seedInstance(t.server, svc.id, 'late', {});
    expect((await s.next()).data.changes).toEqual([{ type: 'register', instanceId: 'late' }]);
    expect(s.ended).toBe(false);
  });

  it('closes the stream of a reader that leaves more than --watch-max-buffer unsent', async () => {
    const { t, svc } = await server(['--watch-max-buffer', '64KiB', '--max-instances-per-service', '2000']);
    const attributes = { a: 'x'.repeat(1000), b: 'y'.repeat(1000), c: 'z'.repeat(1000), d: 'w'.repeat(1000) };
    for (let i = 0; i < 1000; i++) await seedInstance(t.server, svc.id, `i${i}`, attributes); // a 4 MB snapshot
    const socket = connect(t.server.apiAddress.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.pause(); // reads nothing
    socket.write('GET /v1/watch?namespace=kouzie.com&service=backend HTTP/1.1\r\nHost: cairn\r\n\r\n');
    await eventually(() => expect(t.server.watches.watches).toBe(1));
    await seedInstance(t.server, svc.id, 'next', {}); // the event finds the snapshot still unsent
    await eventually(() => expect(t.server.watches.watches).toBe(0));
    let received = 0;
    socket.on('data', (d: Buffer) => (received += d.length));
    socket.resume();
    await new Promise((r) => socket.once('close', r));
    expect(received).toBeLessThan(4_000_000); // cut off: the whole snapshot never came
  });

  it('ends streams and answers waiting blocking queries at once on stop()', async () => {
    const { t } = await server([]);
    const s = await stream(watchUrl(t, 'backend'));
    await s.next();
    const waiting = fetch(`${t.endpoint}/v1/namespaces/kouzie.com/services/backend/instances?revision=0&wait=5m`);
    await eventually(() => expect(t.server.watches.watches).toBe(2));
    const started = Date.now();
    await t.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    await s.closed();
    const res = await waiting;
    expect([res.status, await res.json()]).toEqual([200, { Instances: [], InstancesRevision: 0 }]);
  });
});
