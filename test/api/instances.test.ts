// RegisterInstance, DeregisterInstance, GetInstance and ListInstances through the SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeregisterInstanceCommand,
  DiscoverInstancesRevisionCommand,
  GetInstanceCommand,
  GetInstancesHealthStatusCommand,
  ListInstancesCommand,
  RegisterInstanceCommand,
  paginateListInstances,
} from '@aws-sdk/client-servicediscovery';
import { serviceArn } from '../../src/model/ids.ts';
import type { NamespaceRecord, ServiceRecord } from '../../src/model/records.ts';
import { seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const OP_ID = /^[a-z0-9]{32}-[a-z0-9]{8}$/;

describe('instances', () => {
  let t: TestServer;
  let ns: NamespaceRecord;
  let nsName = 0;
  const newService = async (extra: Partial<ServiceRecord> = {}, namespace?: NamespaceRecord): Promise<ServiceRecord> => {
    const n = namespace ?? (await seedNamespace(t.server, { name: `ns${nsName++}`, type: 'HTTP' }));
    return seedService(t.server, { name: 'svc', namespaceId: n.id, ...extra });
  };
  const register = (serviceId: string, id: string, attributes: Record<string, string> = {}, token?: string) =>
    t.client.send(
      new RegisterInstanceCommand({
        ServiceId: serviceId,
        InstanceId: id,
        Attributes: attributes,
        ...(token ? { CreatorRequestId: token } : {}),
      }),
    );
  const revision = (s: ServiceRecord) => t.server.catalog.service(s.id)!.instancesRevision;

  beforeAll(async () => {
    t = await startTestServer({ flags: ['--max-instances-per-service', '3', '--max-instances-per-namespace', '4'] });
    ns = await seedNamespace(t.server, { name: 'shared', type: 'HTTP' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('registers an instance, records a REGISTER_INSTANCE operation and returns it from GetInstance', async () => {
    const s = await newService({}, ns);
    const { OperationId } = await register(s.id, 'logs-1', { stage: 'beta', AWS_INSTANCE_IPV4: '10.0.0.1' }, 'req-1');
    expect(OperationId).toMatch(OP_ID);
    const op = t.server.catalog.operation(OperationId!);
    expect(op).toMatchObject({
      type: 'REGISTER_INSTANCE',
      status: 'SUCCESS',
      targets: { INSTANCE: 'logs-1', SERVICE: s.id, NAMESPACE: ns.id },
    });
    const got = await t.client.send(new GetInstanceCommand({ ServiceId: s.id, InstanceId: 'logs-1' }));
    expect(got.ResourceOwner).toBe('123456789012');
    expect(got.Instance).toEqual({
      Id: 'logs-1',
      CreatorRequestId: 'req-1',
      Attributes: { stage: 'beta', AWS_INSTANCE_IPV4: '10.0.0.1' },
      CreatedByAccount: '123456789012',
    });
    expect(revision(s)).toBe(1);
  });

  it('accepts the service ARN as ServiceId', async () => {
    const s = await newService();
    await register(serviceArn({ region: 'us-east-1', accountId: '123456789012' }, s.id), 'by-arn');
    const got = await t.client.send(
      new GetInstanceCommand({ ServiceId: serviceArn({ region: 'us-east-1', accountId: '123456789012' }, s.id), InstanceId: 'by-arn' }),
    );
    expect(got.Instance?.Id).toBe('by-arn');
  });

  it('answers ServiceNotFound for an unknown service or an ARN of another account', async () => {
    await expect(register('srv-doesnotexist0000', 'x')).rejects.toMatchObject({
      name: 'ServiceNotFound',
      message: expect.stringContaining('srv-doesnotexist0000'),
    });
    const s = await newService();
    await expect(register(serviceArn({ region: 'us-east-1', accountId: '999999999999' }, s.id), 'x')).rejects.toMatchObject({
      name: 'ServiceNotFound',
    });
  });

  it('replaces an instance with the same id: whole attribute map, same place in ListInstances, new revision', async () => {
    const s = await newService();
    await register(s.id, 'a', { v: '1', old: 'x' });
    await register(s.id, 'b', { v: '1' });
    await register(s.id, 'a', { v: '2' });
    const list = await t.client.send(new ListInstancesCommand({ ServiceId: s.id }));
    expect(list.Instances).toEqual([
      { Id: 'a', Attributes: { v: '2' }, CreatedByAccount: '123456789012' },
      { Id: 'b', Attributes: { v: '1' }, CreatedByAccount: '123456789012' },
    ]);
    expect(list.NextToken).toBeUndefined();
    expect(revision(s)).toBe(3);
  });

  it('returns the first OperationId for a retry with the same CreatorRequestId and changes nothing', async () => {
    const s = await newService();
    const first = await register(s.id, 'r', { v: '1' }, 'token-r');
    const retry = await register(s.id, 'r', { v: '2' }, 'token-r');
    expect(retry.OperationId).toBe(first.OperationId);
    expect(t.server.catalog.instance(s.id, 'r')?.attributes).toEqual({ v: '1' });
    expect(revision(s)).toBe(1);
  });

  it('refuses a CreatorRequestId reused for another instance with DuplicateRequest naming the first operation', async () => {
    const s = await newService();
    const first = await register(s.id, 'one', {}, 'token-dup');
    const err = await register(s.id, 'two', {}, 'token-dup').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DuplicateRequest', DuplicateOperationId: first.OperationId });
    expect(t.server.catalog.instance(s.id, 'two')).toBeUndefined();
  });

  it('refuses the instance beyond the per-service limit with ResourceLimitExceeded, but still allows replacing one', async () => {
    const s = await newService();
    for (const id of ['l1', 'l2', 'l3']) await register(s.id, id);
    await expect(register(s.id, 'l4')).rejects.toMatchObject({
      name: 'ResourceLimitExceeded',
      message: expect.stringContaining('3 instances'),
    });
    await expect(register(s.id, 'l2', { replaced: 'yes' })).resolves.toMatchObject({ OperationId: expect.stringMatching(OP_ID) });
    expect(t.server.catalog.instanceCount(s.id)).toBe(3);
  });

  it('refuses the instance beyond the per-namespace limit across services', async () => {
    const n = await seedNamespace(t.server, { name: 'limited', type: 'HTTP' });
    const s1 = await seedService(t.server, { name: 's1', namespaceId: n.id });
    const s2 = await seedService(t.server, { name: 's2', namespaceId: n.id });
    for (const id of ['a', 'b', 'c']) await register(s1.id, id);
    await register(s2.id, 'd');
    await expect(register(s2.id, 'e')).rejects.toMatchObject({
      name: 'ResourceLimitExceeded',
      message: expect.stringContaining('4 instances'),
    });
  });

  it('starts custom health at AWS_INIT_HEALTH_STATUS and resets it on re-registration', async () => {
    const s = await newService({ healthCheckCustomConfig: { failureThreshold: 1 } });
    await register(s.id, 'h', { AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' });
    const health = () => t.client.send(new GetInstancesHealthStatusCommand({ ServiceId: s.id }));
    expect((await health()).Status).toEqual({ h: 'UNHEALTHY' });
    await register(s.id, 'h', {});
    expect((await health()).Status).toEqual({ h: 'HEALTHY' });
  });

  it('keeps no health record for a service without health config', async () => {
    const s = await newService();
    await register(s.id, 'plain');
    expect(t.server.catalog.health(s.id, 'plain')).toBeUndefined();
  });

  it('deregisters an instance with its health record, records DEREGISTER_INSTANCE and bumps the revision', async () => {
    const s = await newService({ healthCheckCustomConfig: { failureThreshold: 1 } });
    await register(s.id, 'gone');
    expect(t.server.catalog.health(s.id, 'gone')).toBeDefined();
    const { OperationId } = await t.client.send(new DeregisterInstanceCommand({ ServiceId: s.id, InstanceId: 'gone' }));
    expect(t.server.catalog.operation(OperationId!)).toMatchObject({
      type: 'DEREGISTER_INSTANCE',
      status: 'SUCCESS',
      targets: { INSTANCE: 'gone', SERVICE: s.id, NAMESPACE: s.namespaceId },
    });
    expect(t.server.catalog.instance(s.id, 'gone')).toBeUndefined();
    expect(t.server.catalog.health(s.id, 'gone')).toBeUndefined();
    expect(revision(s)).toBe(2);
    await expect(t.client.send(new GetInstanceCommand({ ServiceId: s.id, InstanceId: 'gone' }))).rejects.toMatchObject({
      name: 'InstanceNotFound',
      message: expect.stringContaining('gone'),
    });
  });

  it('answers InstanceNotFound when deregistering an unknown instance', async () => {
    const s = await newService();
    await expect(t.client.send(new DeregisterInstanceCommand({ ServiceId: s.id, InstanceId: 'never' }))).rejects.toMatchObject({
      name: 'InstanceNotFound',
      message: expect.stringContaining('never'),
    });
    expect(revision(s)).toBe(0);
  });

  it('pages ListInstances in registration order with NextToken only before the last page', async () => {
    const n = await seedNamespace(t.server, { name: 'paged', type: 'HTTP' });
    const s = await seedService(t.server, { name: 'p', namespaceId: n.id });
    // This test's server allows 3 per service; a second server with room for more.
    const big = await startTestServer();
    try {
      const bn = await seedNamespace(big.server, { name: 'paged', type: 'HTTP' });
      const bs = await seedService(big.server, { name: 'p', namespaceId: bn.id });
      const ids = ['e', 'a', 'd', 'b', 'c'];
      for (const id of ids) await big.client.send(new RegisterInstanceCommand({ ServiceId: bs.id, InstanceId: id, Attributes: {} }));
      const p1 = await big.client.send(new ListInstancesCommand({ ServiceId: bs.id, MaxResults: 2 }));
      expect(p1.Instances?.map((i) => i.Id)).toEqual(['e', 'a']);
      expect(p1.NextToken).toBeDefined();
      const p2 = await big.client.send(new ListInstancesCommand({ ServiceId: bs.id, MaxResults: 2, NextToken: p1.NextToken }));
      expect(p2.Instances?.map((i) => i.Id)).toEqual(['d', 'b']);
      const p3 = await big.client.send(new ListInstancesCommand({ ServiceId: bs.id, MaxResults: 2, NextToken: p2.NextToken }));
      expect(p3.Instances?.map((i) => i.Id)).toEqual(['c']);
      expect(p3.NextToken).toBeUndefined();
      const all: string[] = [];
      for await (const page of paginateListInstances({ client: big.client, pageSize: 2 }, { ServiceId: bs.id }))
        all.push(...(page.Instances ?? []).map((i) => i.Id!));
      expect(all).toEqual(ids);
      await expect(big.client.send(new ListInstancesCommand({ ServiceId: bs.id, NextToken: 'bogus' }))).rejects.toMatchObject({
        name: 'InvalidInput',
      });
    } finally {
      await big.stop();
    }
    expect((await t.client.send(new ListInstancesCommand({ ServiceId: s.id }))).Instances).toEqual([]);
  });

  it('does not move InstancesRevision on reads', async () => {
    const s = await newService({ name: 'reader' }, ns);
    await register(s.id, 'read');
    const before = revision(s);
    await t.client.send(new GetInstanceCommand({ ServiceId: s.id, InstanceId: 'read' }));
    await t.client.send(new ListInstancesCommand({ ServiceId: s.id }));
    const seen = await t.client.send(new DiscoverInstancesRevisionCommand({ NamespaceName: 'shared', ServiceName: 'reader' }));
    expect(seen.InstancesRevision).toBe(before);
    expect(revision(s)).toBe(before);
  });
});
