// The health check metrics as GET /metrics shows them: probes by type and result, flips by the status
// written, and the instances this replica probes, with real listeners and the checks on a test clock.
import { CreateServiceCommand, RegisterInstanceCommand, type HealthCheckType } from '@aws-sdk/client-servicediscovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NamespaceRecord } from '../../src/model/records.ts';
import { TestClock } from '../support/clock.ts';
import { scrape } from '../support/prometheus.ts';
import { seedNamespace } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { httpListener, tcpListener } from './listeners.ts';

const INTERVAL = 200;

describe('health check metrics', () => {
  let t: TestServer;
  const clock = new TestClock({ flowing: true, settled: () => t.server.health.stats().inFlight === 0 });
  let ns: NamespaceRecord;

  beforeAll(async () => {
    t = await startTestServer({
      flags: ['--health-check-interval', `${INTERVAL}ms`, '--health-check-timeout', '100ms'],
      healthTimers: clock,
    });
    ns = await seedNamespace(t.server, { name: 'hm.example', type: 'DNS_PUBLIC' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const checked = async (name: string, type: HealthCheckType, port: number, host: string): Promise<void> => {
    const out = await t.client.send(
      new CreateServiceCommand({
        Name: name,
        NamespaceId: ns.id,
        DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 0 }] },
        HealthCheckConfig: { Type: type, FailureThreshold: 1, ...(type !== 'TCP' ? { ResourcePath: '/' } : {}) },
      }),
    );
    await t.client.send(
      new RegisterInstanceCommand({
        ServiceId: out.Service!.Id!,
        InstanceId: `${name}-1`,
        Attributes: { AWS_INSTANCE_IPV4: host, AWS_INSTANCE_PORT: String(port) },
      }),
    );
  };
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> =>
    (await scrape(t.endpoint)).value(name, labels) ?? NaN;

  it('counts probes by type and result and flips by the status written, and shows the instances probed here', async () => {
    const zero = await scrape(t.endpoint);
    for (const type of ['TCP', 'HTTP', 'HTTPS'])
      for (const result of ['healthy', 'unhealthy']) expect(zero.value('cairn_health_probes_total', { type, result })).toBe(0);
    expect(zero.value('cairn_health_flips_total', { to: 'UNHEALTHY' })).toBe(0);
    expect(zero.value('cairn_health_flips_total', { to: 'HEALTHY' })).toBe(0);
    expect(zero.value('cairn_health_checked_instances')).toBe(0);

    const tcp = await tcpListener('127.0.0.2');
    const http = await httpListener(undefined, '127.0.0.3');
    try {
      await checked('tcp', 'TCP', tcp.port, tcp.host);
      await checked('web', 'HTTP', http.port, http.host);
      expect(await metric('cairn_health_checked_instances')).toBe(2);
      await clock.waitFor(
        async () => ((await metric('cairn_health_probes_total', { type: 'HTTP', result: 'healthy' })) >= 1 ? true : undefined),
        3 * INTERVAL,
        'an HTTP probe',
      );
      await clock.waitFor(
        async () => ((await metric('cairn_health_probes_total', { type: 'TCP', result: 'healthy' })) >= 1 ? true : undefined),
        3 * INTERVAL,
        'a TCP probe',
      );

      await tcp.close();
      await clock.waitFor(
        async () => ((await metric('cairn_health_flips_total', { to: 'UNHEALTHY' })) === 1 ? true : undefined),
        4 * INTERVAL,
        'a flip to UNHEALTHY',
      );
      expect(await metric('cairn_health_probes_total', { type: 'TCP', result: 'unhealthy' })).toBeGreaterThanOrEqual(1);
      await tcp.reopen();
      await clock.waitFor(
        async () => ((await metric('cairn_health_flips_total', { to: 'HEALTHY' })) === 1 ? true : undefined),
        4 * INTERVAL,
        'a flip back to HEALTHY',
      );

      const s = await scrape(t.endpoint);
      expect(s.value('cairn_health_probes_total', { type: 'HTTP', result: 'unhealthy' })).toBe(0);
      expect(s.value('cairn_health_probes_total', { type: 'HTTPS', result: 'healthy' })).toBe(0);
      expect(s.value('cairn_health_flips_total', { to: 'UNHEALTHY' })).toBe(1);
      // Both services are probed at every interval, each result counted once under its own type.
      const probes = s.sum('cairn_health_probes_total');
      expect(probes).toBeLessThanOrEqual(t.server.health.stats().finished);
      expect(probes).toBeGreaterThanOrEqual(4);
    } finally {
      await tcp.close();
      await http.close();
    }
  });
});
