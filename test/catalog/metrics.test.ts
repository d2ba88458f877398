// The catalog gauges as GET /metrics shows them: what this replica's catalog holds and the revision it
// has applied, following writes made on this replica and, through the feed, on another one.
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  DeregisterInstanceCommand,
  GetOperationCommand,
  RegisterInstanceCommand,
} from '@aws-sdk/client-servicediscovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { scrape } from '../support/prometheus.ts';
import { newPrefix, startTestServer, type TestServer } from '../support/server.ts';

const sizes = async (t: TestServer): Promise<Record<string, number | undefined>> => {
  const s = await scrape(t.endpoint);
  return Object.fromEntries(['namespaces', 'services', 'instances', 'revision'].map((n) => [n, s.value(`cairn_catalog_${n}`)]));
};

describe('catalog metrics on two replicas of one Redis', () => {
  const prefix = newPrefix();
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer({ store: 'redis', prefix });
    b = await startTestServer({ store: 'redis', prefix });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('counts namespaces, services and instances and shows the applied revision, on the writer and the follower alike', async () => {
    expect(await sizes(a)).toEqual({ namespaces: 0, services: 0, instances: 0, revision: 0 });
    const op = await a.client.send(new CreateHttpNamespaceCommand({ Name: 'metrics-ns' }));
    const NamespaceId = (await a.client.send(new GetOperationCommand({ OperationId: op.OperationId! }))).Operation!.Targets!.NAMESPACE!;
    const ServiceId = (await a.client.send(new CreateServiceCommand({ Name: 'web', NamespaceId }))).Service!.Id!;
    for (const id of ['i1', 'i2', 'i3'])
      await a.client.send(new RegisterInstanceCommand({ ServiceId, InstanceId: id, Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } }));
    await a.client.send(new DeregisterInstanceCommand({ ServiceId, InstanceId: 'i2' }));

    const onA = await sizes(a);
    expect(onA).toMatchObject({ namespaces: 1, services: 1, instances: 2 });
    expect(onA.revision).toBe(a.server.catalog.revision);
    expect(onA.revision).toBeGreaterThanOrEqual(6);
    await eventually(async () => expect(await sizes(b)).toEqual(onA));
  });
});
