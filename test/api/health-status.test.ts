// GetInstancesHealthStatus and UpdateInstanceCustomHealthStatus through the SDK, including AWS's delayed
// window when --custom-health-delay is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DiscoverInstancesRevisionCommand,
  GetInstancesHealthStatusCommand,
  RegisterInstanceCommand,
  UpdateInstanceCustomHealthStatusCommand,
} from '@aws-sdk/client-servicediscovery';
import type { NamespaceRecord, ServiceRecord } from '../../src/model/records.ts';
import { TestClock } from '../support/clock.ts';
import { seedNamespace, seedService } from '../support/seed.ts';
import { rawCall, startTestServer, type TestServer } from '../support/server.ts';

async function setup(t: TestServer, name: string) {
  const ns = await seedNamespace(t.server, { name, type: 'HTTP' });
  const mk = (svc: string, extra: Partial<ServiceRecord> = {}) => seedService(t.server, { name: svc, namespaceId: ns.id, ...extra });
  return { ns, mk };
}

describe('instance health status', () => {
  let t: TestServer;
  let ns: NamespaceRecord;
  let custom: ServiceRecord;
  let plain: ServiceRecord;
  let checked: ServiceRecord;
  const register = (s: ServiceRecord, id: string, attributes: Record<string, string> = {}) =>
    t.client.send(new RegisterInstanceCommand({ ServiceId: s.id, InstanceId: id, Attributes: attributes }));
  const statusOf = (s: ServiceRecord, Instances?: string[]) =>
    t.client.send(new GetInstancesHealthStatusCommand({ ServiceId: s.id, ...(Instances ? { Instances } : {}) }));
  const update = (s: ServiceRecord, InstanceId: string, Status: 'HEALTHY' | 'UNHEALTHY') =>
    t.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: s.id, InstanceId, Status }));

  beforeAll(async () => {
    t = await startTestServer();
    const s = await setup(t, 'shared');
    ns = s.ns;
    custom = await s.mk('web', { healthCheckCustomConfig: { failureThreshold: 1 } });
    plain = await s.mk('logs');
    checked = await s.mk('probed', { healthCheckConfig: { type: 'TCP', failureThreshold: 3 } });
    for (const id of ['w1', 'w2', 'w3', 'w4', 'w5']) await register(custom, id, id === 'w2' ? { AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' } : {});
    await register(plain, 'l1');
    await register(checked, 'p1', { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80' });
  });
  afterAll(async () => {
    await t.stop();
  });

  describe('GetInstancesHealthStatus', () => {
    it('reports every instance of the service', async () => {
      expect((await statusOf(custom)).Status).toEqual({ w1: 'HEALTHY', w2: 'UNHEALTHY', w3: 'HEALTHY', w4: 'HEALTHY', w5: 'HEALTHY' });
    });

    it('reports only the listed instances', async () => {
      const out = await statusOf(custom, ['w2', 'w4']);
      expect(out.Status).toEqual({ w2: 'UNHEALTHY', w4: 'HEALTHY' });
      expect(out.NextToken).toBeUndefined();
    });

    it('answers InstanceNotFound for a listed id that does not exist', async () => {
      await expect(statusOf(custom, ['w1', 'ghost'])).rejects.toMatchObject({
        name: 'InstanceNotFound',
        message: expect.stringContaining('ghost'),
      });
    });

    it('reports UNKNOWN for a service without health config, HEALTHY for a new Route 53-style check', async () => {
      expect((await statusOf(plain)).Status).toEqual({ l1: 'UNKNOWN' });
      expect((await statusOf(checked)).Status).toEqual({ p1: 'HEALTHY' });
    });

    it('pages all instances, and listed ones, with NextToken', async () => {
      const p1 = await t.client.send(new GetInstancesHealthStatusCommand({ ServiceId: custom.id, MaxResults: 2 }));
      expect(Object.keys(p1.Status ?? {})).toEqual(['w1', 'w2']);
      const p2 = await t.client.send(new GetInstancesHealthStatusCommand({ ServiceId: custom.id, MaxResults: 2, NextToken: p1.NextToken }));
      expect(Object.keys(p2.Status ?? {})).toEqual(['w3', 'w4']);
      const p3 = await t.client.send(new GetInstancesHealthStatusCommand({ ServiceId: custom.id, MaxResults: 2, NextToken: p2.NextToken }));
      expect(p3.Status).toEqual({ w5: 'HEALTHY' });
      expect(p3.NextToken).toBeUndefined();

      const l1 = await t.client.send(
        new GetInstancesHealthStatusCommand({ ServiceId: custom.id, Instances: ['w5', 'w1', 'w3'], MaxResults: 2 }),
      );
      expect(Object.keys(l1.Status ?? {})).toEqual(['w5', 'w1']);
      const l2 = await t.client.send(
        new GetInstancesHealthStatusCommand({
          ServiceId: custom.id,
          Instances: ['w5', 'w1', 'w3'],
          MaxResults: 2,
          NextToken: l1.NextToken,
        }),
      );
      expect(l2.Status).toEqual({ w3: 'HEALTHY' });
      expect(l2.NextToken).toBeUndefined();

      await expect(
        t.client.send(new GetInstancesHealthStatusCommand({ ServiceId: custom.id, NextToken: 'not-ours' })),
      ).rejects.toMatchObject({ name: 'InvalidInput' });
    });

    it('answers ServiceNotFound for an unknown service', async () => {
      await expect(t.client.send(new GetInstancesHealthStatusCommand({ ServiceId: 'srv-nope' }))).rejects.toMatchObject({
        name: 'ServiceNotFound',
      });
    });
  });

  describe('UpdateInstanceCustomHealthStatus', () => {
    it('applies the status before the call returns and answers an empty object', async () => {
      const res = await rawCall(
        t.endpoint,
        'Route53AutoNaming_v20170314.UpdateInstanceCustomHealthStatus',
        JSON.stringify({ ServiceId: custom.id, InstanceId: 'w3', Status: 'UNHEALTHY' }),
      );
      expect(res.status).toBe(200);
      expect(res.json).toEqual({});
      expect(t.server.catalog.health(custom.id, 'w3')?.status).toBe('UNHEALTHY');
      await update(custom, 'w3', 'HEALTHY');
      expect(t.server.catalog.health(custom.id, 'w3')?.status).toBe('HEALTHY');
      expect((await statusOf(custom, ['w3'])).Status).toEqual({ w3: 'HEALTHY' });
    });

    it('answers CustomHealthNotFound for services without HealthCheckCustomConfig', async () => {
      await expect(update(plain, 'l1', 'UNHEALTHY')).rejects.toMatchObject({
        name: 'CustomHealthNotFound',
        message: expect.stringContaining(plain.id),
      });
      await expect(update(checked, 'p1', 'UNHEALTHY')).rejects.toMatchObject({ name: 'CustomHealthNotFound' });
      expect((await statusOf(checked)).Status).toEqual({ p1: 'HEALTHY' });
    });

    it('answers InstanceNotFound and ServiceNotFound for unknown ids', async () => {
      await expect(update(custom, 'ghost', 'UNHEALTHY')).rejects.toMatchObject({
        name: 'InstanceNotFound',
        message: expect.stringContaining('ghost'),
      });
      await expect(
        t.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: 'srv-nope', InstanceId: 'w1', Status: 'HEALTHY' })),
      ).rejects.toMatchObject({ name: 'ServiceNotFound' });
    });

    it('rejects a Status outside HEALTHY and UNHEALTHY with InvalidInput', async () => {
      const res = await rawCall(
        t.endpoint,
        'Route53AutoNaming_v20170314.UpdateInstanceCustomHealthStatus',
        JSON.stringify({ ServiceId: custom.id, InstanceId: 'w1', Status: 'UNKNOWN' }),
      );
      expect(res.status).toBe(400);
      expect(res.json.__type).toBe('InvalidInput');
    });

    it('bumps InstancesRevision on a flip only', async () => {
      const rev = async () =>
        (await t.client.send(new DiscoverInstancesRevisionCommand({ NamespaceName: ns.httpName, ServiceName: 'web' }))).InstancesRevision!;
      const before = await rev();
      await update(custom, 'w4', 'HEALTHY'); // already healthy
      expect(await rev()).toBe(before);
      await update(custom, 'w4', 'UNHEALTHY');
      expect(await rev()).toBe(before + 1);
    });
  });
});

describe('custom health with --custom-health-delay (AWS window semantics)', () => {
  const DELAY = 600;
  // The replica's registry runs on this clock: the window's delay passes when the test moves it on.
  const clock = new TestClock();
  let t: TestServer;
  let custom: ServiceRecord;
  const health = (id: string) => t.server.catalog.health(custom.id, id)?.status;
  const update = (InstanceId: string, Status: 'HEALTHY' | 'UNHEALTHY') =>
    t.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: custom.id, InstanceId, Status }));
  const register = (id: string, attributes: Record<string, string> = {}) =>
    t.client.send(new RegisterInstanceCommand({ ServiceId: custom.id, InstanceId: id, Attributes: attributes }));
  async function flipTime(id: string, status: string, since: number, limit: number): Promise<number> {
    while (clock.now() - since < limit) {
      if (health(id) === status) return clock.now() - since;
      await clock.advance(10);
    }
    return Infinity;
  }

  beforeAll(async () => {
    t = await startTestServer({ flags: ['--custom-health-delay', `${DELAY}ms`], timers: clock });
    const { mk } = await setup(t, 'delayed');
    custom = await mk('web', { healthCheckCustomConfig: { failureThreshold: 1 } });
    for (const id of ['a', 'b', 'c']) await register(id);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('applies a change after the delay from the first request; a repeat neither speeds it up nor postpones it', async () => {
    const start = clock.now();
    await update('a', 'UNHEALTHY');
    expect(health('a')).toBe('HEALTHY');
    await clock.advance(DELAY * 0.7);
    await update('a', 'UNHEALTHY');
    expect(health('a')).toBe('HEALTHY');
    const at = await flipTime('a', 'UNHEALTHY', start, DELAY * 3);
    expect(at).toBeGreaterThanOrEqual(DELAY);
    // A repeat that restarted the window would flip at 1.7 × DELAY.
    expect(at).toBeLessThan(DELAY * 1.6);
  });

  it('cancels the pending change when a request asks for the current status again', async () => {
    await update('b', 'UNHEALTHY');
    await clock.advance(DELAY / 3);
    await update('b', 'HEALTHY');
    await clock.advance(DELAY * 1.3);
    expect(health('b')).toBe('HEALTHY');
  });

  it('drops a pending change when the instance is registered again', async () => {
    await update('c', 'UNHEALTHY');
    await register('c', { v: '2' });
    await clock.advance(DELAY * 1.3);
    expect(health('c')).toBe('HEALTHY');
  });
});
