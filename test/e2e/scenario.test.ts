// Issue 2's scenario end to end, through the AWS SDK only, on both stores: a public DNS namespace with
// an A-record service and an HTTP namespace with an API-only service, registered and discovered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateHttpNamespaceCommand,
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  DeregisterInstanceCommand,
  DiscoverInstancesCommand,
  DiscoverInstancesRevisionCommand,
  GetInstanceCommand,
  GetInstancesHealthStatusCommand,
  GetOperationCommand,
  ListInstancesCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  RegisterInstanceCommand,
} from '@aws-sdk/client-servicediscovery';
import { startTestServer, type StoreKind, type TestServer } from '../support/server.ts';

const backendAttributes = { AWS_INSTANCE_IPV4: '192.168.10.2', stage: 'beta', version: '1.0', ready: 'yes' };
const logsAttributes = { ARN: 'arn:aws:s3:::testbucket', stage: 'beta', shard: 's_1', read_only: 'no', path: '/mylogs' };

describe.each<StoreKind>(['memory', 'redis'])('issue 2 scenario (%s store)', (store) => {
  let t: TestServer;
  let backendId: string;
  let logsId: string;

  beforeAll(async () => {
    t = await startTestServer({ store });
  });
  afterAll(async () => {
    await t.stop();
  });

  const discover = (NamespaceName: string, ServiceName: string, extra: object = {}) =>
    t.client.send(new DiscoverInstancesCommand({ NamespaceName, ServiceName, ...extra }));

  it('creates kouzie.com and the backend service with an A record and MULTIVALUE routing', async () => {
    expect(t.server.store.kind).toBe(store);
    const { OperationId } = await t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'kouzie.com' }));
    const { Operation } = await t.client.send(new GetOperationCommand({ OperationId }));
    expect(Operation).toMatchObject({ Type: 'CREATE_NAMESPACE', Status: 'SUCCESS' });
    const { Namespaces } = await t.client.send(new ListNamespacesCommand({}));
    const ns = Namespaces?.find((n) => n.Name === 'kouzie.com');
    expect(ns).toMatchObject({ Type: 'DNS_PUBLIC', Properties: { HttpProperties: { HttpName: 'kouzie.com' } } });
    expect(Operation?.Targets?.NAMESPACE).toBe(ns?.Id);

    const { Service } = await t.client.send(
      new CreateServiceCommand({
        Name: 'backend',
        NamespaceId: ns!.Id,
        DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] },
      }),
    );
    expect(Service).toMatchObject({
      Name: 'backend',
      Type: 'DNS_HTTP',
      DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] },
    });
    const { Services } = await t.client.send(
      new ListServicesCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: [ns!.Id!], Condition: 'EQ' }] }),
    );
    backendId = Services!.find((s) => s.Name === 'backend')!.Id!;
    expect(backendId).toBe(Service?.Id);
  });

  it('registers backend-1 and reads it back', async () => {
    const { OperationId } = await t.client.send(
      new RegisterInstanceCommand({ ServiceId: backendId, InstanceId: 'backend-1', Attributes: backendAttributes }),
    );
    const { Operation } = await t.client.send(new GetOperationCommand({ OperationId }));
    expect(Operation).toMatchObject({
      Type: 'REGISTER_INSTANCE',
      Status: 'SUCCESS',
      Targets: { INSTANCE: 'backend-1', SERVICE: backendId },
    });
    const { Instance } = await t.client.send(new GetInstanceCommand({ ServiceId: backendId, InstanceId: 'backend-1' }));
    expect(Instance).toMatchObject({ Id: 'backend-1', Attributes: backendAttributes });
    const { Instances } = await t.client.send(new ListInstancesCommand({ ServiceId: backendId }));
    expect(Instances?.map((i) => i.Id)).toEqual(['backend-1']);
    const { Status } = await t.client.send(new GetInstancesHealthStatusCommand({ ServiceId: backendId }));
    expect(Status).toEqual({ 'backend-1': 'UNKNOWN' });
  });

  it('creates the shared HTTP namespace with the logs service and one instance', async () => {
    await t.client.send(new CreateHttpNamespaceCommand({ Name: 'shared' }));
    const { Namespaces } = await t.client.send(
      new ListNamespacesCommand({ Filters: [{ Name: 'TYPE', Values: ['HTTP'], Condition: 'EQ' }] }),
    );
    const ns = Namespaces?.find((n) => n.Name === 'shared');
    expect(ns?.Type).toBe('HTTP');
    const { Service } = await t.client.send(new CreateServiceCommand({ Name: 'logs', NamespaceId: ns!.Id }));
    expect(Service).toMatchObject({ Name: 'logs', Type: 'HTTP' });
    logsId = Service!.Id!;
    await t.client.send(new RegisterInstanceCommand({ ServiceId: logsId, InstanceId: 'logs-1', Attributes: logsAttributes }));
  });

  it('discovers shared/logs with and without QueryParameters', async () => {
    const expected = {
      InstanceId: 'logs-1',
      NamespaceName: 'shared',
      ServiceName: 'logs',
      HealthStatus: 'UNKNOWN',
      Attributes: logsAttributes,
    };
    const all = await discover('shared', 'logs');
    expect(all.Instances).toEqual([expected]);
    expect(all.InstancesRevision).toBe(1);
    expect((await discover('shared', 'logs', { QueryParameters: { stage: 'beta' } })).Instances).toEqual([expected]);
    expect((await discover('shared', 'logs', { QueryParameters: { stage: 'prod' } })).Instances).toEqual([]);
  });

  it('discovers kouzie.com/backend as docs/dns.md#scenario-discovery shows', async () => {
    const beta = await discover('kouzie.com', 'backend', { QueryParameters: { stage: 'beta' } });
    expect(beta.Instances).toEqual([
      {
        InstanceId: 'backend-1',
        NamespaceName: 'kouzie.com',
        ServiceName: 'backend',
        HealthStatus: 'UNKNOWN',
        Attributes: backendAttributes,
      },
    ]);
    expect(beta.InstancesRevision).toBe(1);
    expect((await discover('kouzie.com', 'backend', { QueryParameters: { stage: 'prod' } })).Instances).toEqual([]);
    const optional = await discover('kouzie.com', 'backend', { OptionalParameters: { version: '2.0' } });
    expect(optional.Instances?.map((i) => i.InstanceId)).toEqual(['backend-1']);
    const revision = await t.client.send(new DiscoverInstancesRevisionCommand({ NamespaceName: 'kouzie.com', ServiceName: 'backend' }));
    expect(revision.InstancesRevision).toBe(1);
  });

  it('deregisters backend-1: discovery is empty and the revision moves', async () => {
    await t.client.send(new DeregisterInstanceCommand({ ServiceId: backendId, InstanceId: 'backend-1' }));
    const out = await discover('kouzie.com', 'backend');
    expect(out).toMatchObject({ Instances: [], InstancesRevision: 2 });
  });
});
