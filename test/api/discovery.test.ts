// DiscoverInstances and DiscoverInstancesRevision through the SDK: every step of docs/cloud-map-api.md#discovery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeregisterInstanceCommand,
  DiscoverInstancesCommand,
  DiscoverInstancesRevisionCommand,
  GetInstanceCommand,
  RegisterInstanceCommand,
  UpdateInstanceCustomHealthStatusCommand,
  type DiscoverInstancesCommandInput,
} from '@aws-sdk/client-servicediscovery';
import type { NamespaceRecord, ServiceRecord } from '../../src/model/records.ts';
import { seedNamespace, seedService } from '../support/seed.ts';
import { rawCall, startTestServer, type TestServer } from '../support/server.ts';
import { eventually } from '../support/eventually.ts';

describe('DiscoverInstances', () => {
  let t: TestServer;
  let http: NamespaceRecord;
  let dns: NamespaceRecord;
  let plain: ServiceRecord;
  let custom: ServiceRecord;
  let n = 0;

  const register = (s: ServiceRecord, id: string, attributes: Record<string, string> = {}) =>
    t.client.send(new RegisterInstanceCommand({ ServiceId: s.id, InstanceId: id, Attributes: attributes }));
  const setHealth = (s: ServiceRecord, id: string, status: 'HEALTHY' | 'UNHEALTHY') =>
    t.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: s.id, InstanceId: id, Status: status }));
  const discover = (input: Partial<DiscoverInstancesCommandInput> & { ServiceName: string }) =>
    t.client.send(new DiscoverInstancesCommand({ NamespaceName: 'shared', ...input }));
  const ids = async (input: Partial<DiscoverInstancesCommandInput> & { ServiceName: string }) =>
    ((await discover(input)).Instances ?? []).map((i) => i.InstanceId).sort();
  const revision = async (ServiceName: string, NamespaceName = 'shared') =>
    (await t.client.send(new DiscoverInstancesRevisionCommand({ NamespaceName, ServiceName }))).InstancesRevision;
  const freshService = async (extra: Partial<ServiceRecord> = {}) =>
    seedService(t.server, { name: `svc${n++}`, namespaceId: http.id, ...extra });

  beforeAll(async () => {
    t = await startTestServer();
    // Name and HttpName differ on purpose: discovery goes by HttpName.
    http = await seedNamespace(t.server, { name: 'shared-name', httpName: 'shared', type: 'HTTP' });
    dns = await seedNamespace(t.server, { name: 'kouzie.com', type: 'DNS_PUBLIC' });
    plain = await seedService(t.server, { name: 'logs', namespaceId: http.id });
    custom = await seedService(t.server, { name: 'web', namespaceId: http.id, healthCheckCustomConfig: { failureThreshold: 1 } });
    await register(plain, 'l1', { stage: 'beta', shard: 's_1', zone: 'a' });
    await register(plain, 'l2', { stage: 'beta', shard: 's_2', zone: 'b' });
    await register(plain, 'l3', { stage: 'prod', shard: 's_1', zone: 'a' });
    await register(custom, 'w1', { stage: 'beta', zone: 'a' });
    await register(custom, 'w2', { stage: 'beta', zone: 'b' });
    await register(custom, 'w3', { stage: 'prod', zone: 'a' });
    await setHealth(custom, 'w3', 'UNHEALTHY');
  });
  afterAll(async () => {
    await t.stop();
  });

  describe('step 1: the namespace by HttpName', () => {
    it('finds the namespace by its HttpName and reports the HttpName as NamespaceName', async () => {
      const out = await discover({ ServiceName: 'logs', QueryParameters: { shard: 's_2' } });
      expect(out.Instances).toEqual([
        {
          InstanceId: 'l2',
          NamespaceName: 'shared',
          ServiceName: 'logs',
          HealthStatus: 'UNKNOWN',
          Attributes: { stage: 'beta', shard: 's_2', zone: 'b' },
        },
      ]);
    });

    it('answers NamespaceNotFound for the namespace Name when it differs from the HttpName, and for unknown names', async () => {
      await expect(discover({ NamespaceName: 'shared-name', ServiceName: 'logs' })).rejects.toMatchObject({
        name: 'NamespaceNotFound',
        message: expect.stringContaining('shared-name'),
      });
      await expect(discover({ NamespaceName: 'nowhere', ServiceName: 'logs' })).rejects.toMatchObject({ name: 'NamespaceNotFound' });
      await expect(
        t.client.send(new DiscoverInstancesRevisionCommand({ NamespaceName: 'nowhere', ServiceName: 'logs' })),
      ).rejects.toMatchObject({ name: 'NamespaceNotFound' });
    });

    it('answers NamespaceNotFound for another OwnerAccount and serves its own', async () => {
      await expect(discover({ ServiceName: 'logs', OwnerAccount: '999999999999' })).rejects.toMatchObject({ name: 'NamespaceNotFound' });
      await expect(
        t.client.send(new DiscoverInstancesRevisionCommand({ NamespaceName: 'shared', ServiceName: 'logs', OwnerAccount: '999999999999' })),
      ).rejects.toMatchObject({ name: 'NamespaceNotFound' });
      expect((await discover({ ServiceName: 'logs', OwnerAccount: '123456789012' })).Instances).toHaveLength(3);
    });
  });

  describe('step 2: the service by name', () => {
    it('answers ServiceNotFound for an unknown service', async () => {
      await expect(discover({ ServiceName: 'nothere' })).rejects.toMatchObject({
        name: 'ServiceNotFound',
        message: expect.stringContaining('nothere'),
      });
    });

    it('matches service names case-sensitively in HTTP namespaces', async () => {
      await expect(discover({ ServiceName: 'LOGS' })).rejects.toMatchObject({ name: 'ServiceNotFound' });
    });

    it('falls back to a case-insensitive match in DNS namespaces and reports the stored name', async () => {
      const backend = await seedService(t.server, {
        name: 'backend',
        namespaceId: dns.id,
        dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 60 }] },
      });
      await register(backend, 'backend-1', { AWS_INSTANCE_IPV4: '192.168.10.2' });
      const out = await discover({ NamespaceName: 'kouzie.com', ServiceName: 'BackEnd' });
      expect(out.Instances?.map((i) => [i.InstanceId, i.ServiceName])).toEqual([['backend-1', 'backend']]);
      expect(await revision('BACKEND', 'kouzie.com')).toBe(1);
    });
  });

  describe('step 3: QueryParameters', () => {
    it('keeps instances that match every pair, with case-sensitive values', async () => {
      expect(await ids({ ServiceName: 'logs', QueryParameters: { stage: 'beta' } })).toEqual(['l1', 'l2']);
      expect(await ids({ ServiceName: 'logs', QueryParameters: { stage: 'beta', zone: 'a' } })).toEqual(['l1']);
      expect(await ids({ ServiceName: 'logs', QueryParameters: { stage: 'BETA' } })).toEqual([]);
      expect(await ids({ ServiceName: 'logs', QueryParameters: { missing: 'x' } })).toEqual([]);
      expect(await ids({ ServiceName: 'logs', QueryParameters: {} })).toEqual(['l1', 'l2', 'l3']);
    });
  });

  describe('step 4: health', () => {
    it('ignores HealthStatus for a service without health config and reports UNKNOWN', async () => {
      const out = await discover({ ServiceName: 'logs', HealthStatus: 'UNHEALTHY' });
      expect(out.Instances?.map((i) => i.HealthStatus)).toEqual(['UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
    });

    it('returns healthy instances by default', async () => {
      const out = await discover({ ServiceName: 'web' });
      expect(out.Instances?.map((i) => [i.InstanceId, i.HealthStatus]).sort()).toEqual([
        ['w1', 'HEALTHY'],
        ['w2', 'HEALTHY'],
      ]);
    });

    it('keeps the requested status with HEALTHY, UNHEALTHY and ALL', async () => {
      expect(await ids({ ServiceName: 'web', HealthStatus: 'HEALTHY' })).toEqual(['w1', 'w2']);
      expect(await ids({ ServiceName: 'web', HealthStatus: 'UNHEALTHY' })).toEqual(['w3']);
      expect(await ids({ ServiceName: 'web', HealthStatus: 'ALL' })).toEqual(['w1', 'w2', 'w3']);
    });

    it('HEALTHY_OR_ELSE_ALL keeps the healthy ones, or every query match when none of them is healthy', async () => {
      expect(await ids({ ServiceName: 'web', HealthStatus: 'HEALTHY_OR_ELSE_ALL' })).toEqual(['w1', 'w2']);
      // Only w3 matches stage=prod and it is unhealthy: fall back to the query's set, not the whole service.
      expect(await ids({ ServiceName: 'web', HealthStatus: 'HEALTHY_OR_ELSE_ALL', QueryParameters: { stage: 'prod' } })).toEqual(['w3']);
      expect(await ids({ ServiceName: 'web', QueryParameters: { stage: 'prod' } })).toEqual([]);
    });
  });

  describe('step 5: OptionalParameters', () => {
    it('narrows to the instances that match every optional pair', async () => {
      expect(await ids({ ServiceName: 'logs', OptionalParameters: { zone: 'a' } })).toEqual(['l1', 'l3']);
      expect(
        await ids({ ServiceName: 'logs', QueryParameters: { stage: 'beta' }, OptionalParameters: { zone: 'a', shard: 's_1' } }),
      ).toEqual(['l1']);
    });

    it('is ignored when no remaining instance matches it', async () => {
      expect(await ids({ ServiceName: 'logs', OptionalParameters: { version: '2.0' } })).toEqual(['l1', 'l2', 'l3']);
      // zone=a matches w3, but w3 was removed by the health step: optional is then ignored.
      expect(
        await ids({ ServiceName: 'web', QueryParameters: { stage: 'beta' }, OptionalParameters: { zone: 'a', stage: 'prod' } }),
      ).toEqual(['w1', 'w2']);
    });
  });

  describe('step 6: order and MaxResults', () => {
    it('returns at most 100 instances by default and MaxResults when given', async () => {
      const big = await startTestServer();
      try {
        const ns = await seedNamespace(big.server, { name: 'big', type: 'HTTP' });
        const s = await seedService(big.server, { name: 'many', namespaceId: ns.id });
        await Promise.all(
          Array.from({ length: 120 }, (_, i) =>
            big.client.send(new RegisterInstanceCommand({ ServiceId: s.id, InstanceId: `i${i}`, Attributes: { n: String(i) } })),
          ),
        );
        const all = await big.client.send(new DiscoverInstancesCommand({ NamespaceName: 'big', ServiceName: 'many' }));
        expect(all.Instances).toHaveLength(100);
        expect(new Set(all.Instances?.map((i) => i.InstanceId)).size).toBe(100);
        const more = await big.client.send(new DiscoverInstancesCommand({ NamespaceName: 'big', ServiceName: 'many', MaxResults: 1000 }));
        expect(more.Instances).toHaveLength(120);
        const five = await big.client.send(new DiscoverInstancesCommand({ NamespaceName: 'big', ServiceName: 'many', MaxResults: 5 }));
        expect(new Set(five.Instances?.map((i) => i.InstanceId)).size).toBe(5);
        await expect(
          big.client.send(new DiscoverInstancesCommand({ NamespaceName: 'big', ServiceName: 'many', MaxResults: 1001 })),
        ).rejects.toMatchObject({ name: 'InvalidInput' });
      } finally {
        await big.stop();
      }
    });

    it('shuffles the instances on every call', async () => {
      const s = await freshService();
      for (let i = 0; i < 8; i++) await register(s, `r${i}`);
      const orders = new Set<string>();
      const firsts = new Set<string>();
      for (let k = 0; k < 40; k++) {
        const out = await discover({ ServiceName: s.name });
        const order = out.Instances!.map((i) => i.InstanceId!);
        expect([...order].sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
        orders.add(order.join(','));
        firsts.add(order[0]!);
      }
      // 40 draws from 8! orders: a repeat-free run is near certain, a single order impossible in practice.
      expect(orders.size).toBeGreaterThan(30);
      expect(firsts.size).toBeGreaterThan(3);
    });

    it('shuffles with the registry random source', async () => {
      const s = await freshService();
      for (let i = 0; i < 5; i++) await register(s, `d${i}`);
      const random = t.server.ctx.random;
      try {
        t.server.ctx.random = () => 0; // every swap picks the current slot: registration order
        expect((await discover({ ServiceName: s.name })).Instances?.map((i) => i.InstanceId)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
        t.server.ctx.random = () => 0.9999; // every swap picks the last slot
        expect((await discover({ ServiceName: s.name, MaxResults: 2 })).Instances?.map((i) => i.InstanceId)).toEqual(['d4', 'd0']);
      } finally {
        t.server.ctx.random = random;
      }
    });
  });

  describe('InstancesRevision', () => {
    it('moves on register, re-register, deregister and health flips, and not on reads', async () => {
      const s = await freshService({ healthCheckCustomConfig: { failureThreshold: 1 } });
      expect(await revision(s.name)).toBe(0);
      await register(s, 'x', { v: '1' });
      expect(await revision(s.name)).toBe(1);
      await register(s, 'x', { v: '2' });
      expect(await revision(s.name)).toBe(2);
      await setHealth(s, 'x', 'UNHEALTHY');
      expect(await revision(s.name)).toBe(3);
      await setHealth(s, 'x', 'UNHEALTHY'); // no change, no flip
      expect(await revision(s.name)).toBe(3);
      await discover({ ServiceName: s.name, HealthStatus: 'ALL' });
      await t.client.send(new GetInstanceCommand({ ServiceId: s.id, InstanceId: 'x' }));
      expect(await revision(s.name)).toBe(3);
      await t.client.send(new DeregisterInstanceCommand({ ServiceId: s.id, InstanceId: 'x' }));
      expect(await revision(s.name)).toBe(4);
      const out = await discover({ ServiceName: s.name, HealthStatus: 'ALL' });
      expect(out).toMatchObject({ Instances: [], InstancesRevision: 4 });
    });

    it('is the service counter whatever the filters select', async () => {
      const out = await discover({ ServiceName: 'logs', QueryParameters: { stage: 'none' } });
      expect(out.Instances).toEqual([]);
      expect(out.InstancesRevision).toBe(await revision('logs'));
      expect(out.InstancesRevision).toBe(3);
    });
  });

  describe('answers stay current', () => {
    it('reflects new attributes and health after re-registration and health flips', async () => {
      const s = await freshService({ healthCheckCustomConfig: { failureThreshold: 1 } });
      await register(s, 'c', { v: '1' });
      const first = await discover({ ServiceName: s.name, HealthStatus: 'ALL' });
      expect(first.Instances?.[0]).toMatchObject({ HealthStatus: 'HEALTHY', Attributes: { v: '1' } });
      await setHealth(s, 'c', 'UNHEALTHY');
      expect((await discover({ ServiceName: s.name, HealthStatus: 'ALL' })).Instances?.[0]).toMatchObject({
        HealthStatus: 'UNHEALTHY',
        Attributes: { v: '1' },
      });
      await register(s, 'c', { v: '2' });
      expect((await discover({ ServiceName: s.name, HealthStatus: 'ALL' })).Instances?.[0]).toMatchObject({
        HealthStatus: 'HEALTHY',
        Attributes: { v: '2' },
      });
    });

    it('sends the AWS JSON shape on the wire', async () => {
      const res = await rawCall(
        t.endpoint,
        'Route53AutoNaming_v20170314.DiscoverInstances',
        JSON.stringify({ NamespaceName: 'shared', ServiceName: 'logs', QueryParameters: { shard: 's_2' } }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/x-amz-json-1\.1\b/);
      expect(res.json).toEqual({
        Instances: [
          {
            InstanceId: 'l2',
            NamespaceName: 'shared',
            ServiceName: 'logs',
            HealthStatus: 'UNKNOWN',
            Attributes: { stage: 'beta', shard: 's_2', zone: 'b' },
          },
        ],
        InstancesRevision: 3,
      });
    });
  });
});

describe('discovery throttling', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ flags: ['--discover-rate-limit', '1'] });
    const ns = await seedNamespace(t.server, { name: 'shared', type: 'HTTP' });
    await seedService(t.server, { name: 'logs', namespaceId: ns.id });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('refuses DiscoverInstances beyond the burst with RequestLimitExceeded and leaves other operations alone', async () => {
    const call = () => t.client.send(new DiscoverInstancesCommand({ NamespaceName: 'shared', ServiceName: 'logs' }));
    // Burst is two seconds' worth: 2 calls pass at once, the third is throttled.
    await call();
    await call();
    await expect(call()).rejects.toMatchObject({ name: 'RequestLimitExceeded', message: expect.stringContaining('DiscoverInstances') });
    const res = await rawCall(
      t.endpoint,
      'Route53AutoNaming_v20170314.GetInstance',
      JSON.stringify({ ServiceId: 'srv-x', InstanceId: 'i' }),
    );
    expect(res.json.__type).toBe('ServiceNotFound');
  });

  it('gives DiscoverInstancesRevision three times the rate', async () => {
    const call = () => t.client.send(new DiscoverInstancesRevisionCommand({ NamespaceName: 'shared', ServiceName: 'logs' }));
    for (let i = 0; i < 6; i++) await call();
    await expect(call()).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
  });
});

describe('discovery on another replica (redis store)', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer({ store: 'redis' });
    b = await startTestServer({ store: 'redis', prefix: a.prefix });
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  it('follows registrations, replacements and deregistrations made on the first replica', async () => {
    const ns = await seedNamespace(a.server, { name: 'shared', type: 'HTTP' });
    const s = await seedService(a.server, { name: 'logs', namespaceId: ns.id });
    const seen = () =>
      b.client.send(new DiscoverInstancesCommand({ NamespaceName: 'shared', ServiceName: 'logs' })).then(
        (o) => o.Instances?.map((i) => `${i.InstanceId}:${i.Attributes?.v}`) ?? [],
        () => ['(not found)'],
      );
    await a.client.send(new RegisterInstanceCommand({ ServiceId: s.id, InstanceId: 'x', Attributes: { v: '1' } }));
    await eventually(async () => expect(await seen()).toEqual(['x:1']));
    await a.client.send(new RegisterInstanceCommand({ ServiceId: s.id, InstanceId: 'x', Attributes: { v: '2' } }));
    await eventually(async () => expect(await seen()).toEqual(['x:2']));
    await a.client.send(new DeregisterInstanceCommand({ ServiceId: s.id, InstanceId: 'x' }));
    await eventually(async () => expect(await seen()).toEqual([]));
  });
});
