// Active health checks end to end on one replica: real listeners, the real API, a 200 ms interval. The
// checks run on a test clock that skips ahead between probes; the probes themselves are real I/O.
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateServiceCommand,
  DeregisterInstanceCommand,
  DiscoverInstancesCommand,
  DiscoverInstancesRevisionCommand,
  GetInstancesHealthStatusCommand,
  RegisterInstanceCommand,
  UpdateServiceCommand,
  type HealthCheckType,
} from '@aws-sdk/client-servicediscovery';
import type { NamespaceRecord } from '../../src/model/records.ts';
import { seedNamespace } from '../support/seed.ts';
import { TestClock } from '../support/clock.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { httpListener, selfSignedCert, tcpListener } from './listeners.ts';

const INTERVAL = 200;
const TIMEOUT = 100;

describe('active health checks (one replica)', () => {
  let t: TestServer;
  // Flowing: a probe of a listener that answers late is cut off by its timeout as time really passes.
  const clock = new TestClock({ flowing: true, settled: () => t.server.health.stats().inFlight === 0 });
  let ns: NamespaceRecord;
  let serviceCount = 0;

  beforeAll(async () => {
    t = await startTestServer({
      flags: ['--health-check-interval', `${INTERVAL}ms`, '--health-check-timeout', `${TIMEOUT}ms`],
      healthTimers: clock,
    });
    ns = await seedNamespace(t.server, { name: 'hc.example', type: 'DNS_PUBLIC' });
  });
  afterAll(async () => {
    await t.stop();
  });

  async function service(type: HealthCheckType, failureThreshold: number, resourcePath?: string): Promise<{ id: string; name: string }> {
    const name = `svc${serviceCount++}`;
    const out = await t.client.send(
      new CreateServiceCommand({
        Name: name,
        NamespaceId: ns.id,
        // TTL 0: the resolver below must not answer from its cache.
        DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 0 }] },
        HealthCheckConfig: { Type: type, FailureThreshold: failureThreshold, ...(resourcePath ? { ResourcePath: resourcePath } : {}) },
      }),
    );
    return { id: out.Service!.Id!, name };
  }
  const register = (serviceId: string, id: string, port: number, ip = '127.0.0.1') =>
    t.client.send(
      new RegisterInstanceCommand({
        ServiceId: serviceId,
        InstanceId: id,
        Attributes: { AWS_INSTANCE_IPV4: ip, AWS_INSTANCE_PORT: String(port) },
      }),
    );
  /** The A records cairn's DNS server answers for the service. */
  const resolved = async (name: string): Promise<string[]> => {
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${t.server.dnsAddress.port}`]);
    return (await resolver.resolve4(`${name}.hc.example`)).sort();
  };
  const statusOf = async (serviceId: string, id: string) =>
    (await t.client.send(new GetInstancesHealthStatusCommand({ ServiceId: serviceId, Instances: [id] }))).Status?.[id];
  const discovered = async (name: string) =>
    ((await t.client.send(new DiscoverInstancesCommand({ NamespaceName: ns.name, ServiceName: name }))).Instances ?? [])
      .map((i) => i.InstanceId)
      .sort();
  /** Resolves with the ms it took for the instance to reach `status`. */
  const timeUntil = async (serviceId: string, id: string, status: string, from: number, limitMs: number): Promise<number> =>
    clock.waitFor(
      async () => ((await statusOf(serviceId, id)) === status ? clock.now() - from : undefined),
      limitMs,
      `${id} to be ${status}`,
      15,
    );

  it('takes a TCP-checked instance out of DNS and discovery after FailureThreshold intervals when its listener closes, and back when it reopens', async () => {
    const tcp = await tcpListener('127.0.0.2');
    const other = await tcpListener('127.0.0.3');
    try {
      const s = await service('TCP', 3);
      await register(s.id, 'down', tcp.port, tcp.host);
      await register(s.id, 'up', other.port, other.host);
      expect(await resolved(s.name)).toEqual(['127.0.0.2', '127.0.0.3']);
      await clock.waitFor(() => (tcp.hits.length > 0 ? true : undefined), 3 * INTERVAL, 'a first probe');
      const revision = (await t.client.send(new DiscoverInstancesRevisionCommand({ NamespaceName: ns.name, ServiceName: s.name })))
        .InstancesRevision!;

      await tcp.close();
      const closed = clock.now();
      const down = await timeUntil(s.id, 'down', 'UNHEALTHY', closed, 6 * INTERVAL);
      expect(down).toBeGreaterThanOrEqual(2 * INTERVAL - 20);
      expect(down).toBeLessThanOrEqual(4 * INTERVAL);
      expect(await discovered(s.name)).toEqual(['up']);
      expect(await resolved(s.name)).toEqual(['127.0.0.3']);
      // A flip is a registry write: it moves InstancesRevision, which pollers of the revision see.
      expect(
        (await t.client.send(new DiscoverInstancesRevisionCommand({ NamespaceName: ns.name, ServiceName: s.name }))).InstancesRevision,
      ).toBe(revision + 1);

      await tcp.reopen();
      const reopened = clock.now();
      const up = await timeUntil(s.id, 'down', 'HEALTHY', reopened, 6 * INTERVAL);
      expect(up).toBeGreaterThanOrEqual(2 * INTERVAL - 20);
      expect(up).toBeLessThanOrEqual(4 * INTERVAL);
      expect(await discovered(s.name)).toEqual(['down', 'up']);
      expect(await resolved(s.name)).toEqual(['127.0.0.2', '127.0.0.3']);
      expect(await statusOf(s.id, 'up')).toBe('HEALTHY');
    } finally {
      await tcp.close();
      await other.close();
    }
  });

  it('takes an HTTP-checked instance out of DNS and discovery on 500 and back on 200, asking GET <ResourcePath> with Host <service>.<namespace>', async () => {
    const http = await httpListener(undefined, '127.0.0.4');
    const steady = await httpListener(undefined, '127.0.0.5');
    try {
      const s = await service('HTTP', 2, '/healthz');
      await register(s.id, 'web-1', http.port, http.host);
      await register(s.id, 'web-2', steady.port, steady.host);
      await clock.waitFor(() => (http.requests.length > 0 ? true : undefined), 3 * INTERVAL, 'a first probe');
      expect(http.requests[0]).toMatchObject({ method: 'GET', url: '/healthz', host: `${s.name}.hc.example` });

      http.status = 500;
      const failing = clock.now();
      const down = await timeUntil(s.id, 'web-1', 'UNHEALTHY', failing, 5 * INTERVAL);
      expect(down).toBeGreaterThanOrEqual(INTERVAL - 20);
      expect(down).toBeLessThanOrEqual(3 * INTERVAL);
      expect(await discovered(s.name)).toEqual(['web-2']);
      expect(await resolved(s.name)).toEqual(['127.0.0.5']);

      http.status = 200;
      const up = await timeUntil(s.id, 'web-1', 'HEALTHY', clock.now(), 5 * INTERVAL);
      expect(up).toBeLessThanOrEqual(3 * INTERVAL);
      expect(await discovered(s.name)).toEqual(['web-1', 'web-2']);
      expect(await resolved(s.name)).toEqual(['127.0.0.4', '127.0.0.5']);
    } finally {
      await http.close();
      await steady.close();
    }
  });

  it('checks HTTPS without verifying a self-signed certificate, and counts an answer slower than the timeout as a failure', async () => {
    const https = await httpListener(selfSignedCert());
    try {
      const s = await service('HTTPS', 1, '/');
      await register(s.id, 'tls-1', https.port);
      await clock.waitFor(() => (https.requests.length > 0 ? true : undefined), 3 * INTERVAL, 'a first probe');
      // Healthy over several rounds: the certificate is not held against it.
      await clock.advance(2 * INTERVAL);
      expect(await statusOf(s.id, 'tls-1')).toBe('HEALTHY');

      https.status = 503;
      await timeUntil(s.id, 'tls-1', 'UNHEALTHY', clock.now(), 3 * INTERVAL);
      https.status = 200;
      await timeUntil(s.id, 'tls-1', 'HEALTHY', clock.now(), 3 * INTERVAL);

      https.delayMs = 3 * TIMEOUT;
      await timeUntil(s.id, 'tls-1', 'UNHEALTHY', clock.now(), 3 * INTERVAL);
      https.delayMs = 0;
      await timeUntil(s.id, 'tls-1', 'HEALTHY', clock.now(), 3 * INTERVAL);
    } finally {
      await https.close();
    }
  });

  it('follows the registry: new instances are probed, deregistered ones and services whose check was removed are not', async () => {
    const a = await tcpListener();
    const b = await tcpListener();
    try {
      const s = await service('TCP', 1);
      await register(s.id, 'a', a.port);
      await clock.waitFor(() => (a.hits.length > 0 ? true : undefined), 3 * INTERVAL, 'a probe of a');
      await register(s.id, 'b', b.port);
      await clock.waitFor(() => (b.hits.length > 0 ? true : undefined), 3 * INTERVAL, 'a probe of b, registered later');

      await t.client.send(new DeregisterInstanceCommand({ ServiceId: s.id, InstanceId: 'b' }));
      await clock.advance(50);
      const bHits = b.hits.length;
      await clock.advance(3 * INTERVAL);
      expect(b.hits.length).toBe(bHits);
      expect(a.hits.length).toBeGreaterThan(2);

      // UpdateService without HealthCheckConfig deletes the check: no more probes, status UNKNOWN.
      await t.client.send(new UpdateServiceCommand({ Id: s.id, Service: { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 0 }] } } }));
      await clock.advance(50);
      const aHits = a.hits.length;
      await clock.advance(3 * INTERVAL);
      expect(a.hits.length).toBe(aHits);
      expect(await statusOf(s.id, 'a')).toBe('UNKNOWN');

      // Giving it a check again starts the probes again, with the new threshold.
      await t.client.send(new UpdateServiceCommand({ Id: s.id, Service: { HealthCheckConfig: { Type: 'TCP', FailureThreshold: 2 } } }));
      await clock.waitFor(() => (a.hits.length > aHits ? true : undefined), 3 * INTERVAL, 'probes of a to resume');
      await a.close();
      const down = await timeUntil(s.id, 'a', 'UNHEALTHY', clock.now(), 5 * INTERVAL);
      expect(down).toBeGreaterThanOrEqual(INTERVAL - 20);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('starts a re-registered instance over: healthy again, and FailureThreshold more failures before it flips', async () => {
    const gone = await tcpListener();
    await gone.close();
    const s = await service('TCP', 3);
    await register(s.id, 'again', gone.port);
    await timeUntil(s.id, 'again', 'UNHEALTHY', clock.now(), 6 * INTERVAL);

    await register(s.id, 'again', gone.port);
    const reRegistered = clock.now();
    expect(await statusOf(s.id, 'again')).toBe('HEALTHY');
    const down = await timeUntil(s.id, 'again', 'UNHEALTHY', reRegistered, 6 * INTERVAL);
    expect(down).toBeGreaterThanOrEqual(2 * INTERVAL - 20);
  });
});
