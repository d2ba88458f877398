// Services through the AWS SDK: create (namespace by id/ARN/deprecated member, uniqueness, idempotency,
// defaults), get, list with filters and pages, update, delete, and service attributes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateHttpNamespaceCommand,
  CreatePrivateDnsNamespaceCommand,
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  DeleteServiceAttributesCommand,
  DeleteServiceCommand,
  GetNamespaceCommand,
  GetOperationCommand,
  GetServiceAttributesCommand,
  GetServiceCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  paginateListServices,
  UpdateServiceAttributesCommand,
  UpdateServiceCommand,
  type ServiceFilter,
} from '@aws-sdk/client-servicediscovery';
import { TestClock } from '../support/clock.ts';
import { removeInstance, seedInstance } from '../support/seed.ts';
import { errorOf } from '../support/sdk-errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let t: TestServer;
let dnsNs: string;
let httpNs: string;
let privNs: string;
const nsArn = (id: string): string => `arn:aws:servicediscovery:us-east-1:123456789012:namespace/${id}`;
const srvArn = (id: string): string => `arn:aws:servicediscovery:us-east-1:123456789012:service/${id}`;

async function created(op: Promise<{ OperationId?: string }>): Promise<string> {
  const { OperationId } = await op;
  const { Operation } = await t.client.send(new GetOperationCommand({ OperationId }));
  return Operation!.Targets!.NAMESPACE!;
}

beforeAll(async () => {
  t = await startTestServer({ flags: ['--vpc', 'vpc-1=10.0.0.0/8'] });
  dnsNs = await created(t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'svc.example' })));
  httpNs = await created(t.client.send(new CreateHttpNamespaceCommand({ Name: 'svc-http' })));
  privNs = await created(t.client.send(new CreatePrivateDnsNamespaceCommand({ Name: 'svc.internal', Vpc: 'vpc-1' })));
});
afterAll(async () => {
  await t.stop();
});

describe('creating services', () => {
  it('creates a DNS service with A and SRV records, MULTIVALUE by default, and counts it in its namespace', async () => {
    const { Service } = await t.client.send(
      new CreateServiceCommand({
        Name: 'web',
        NamespaceId: dnsNs,
        CreatorRequestId: 'web-1',
        Description: 'the web',
        DnsConfig: {
          DnsRecords: [
            { Type: 'A', TTL: 60 },
            { Type: 'SRV', TTL: 30 },
          ],
        },
      }),
    );
    expect(Service).toMatchObject({
      Name: 'web',
      NamespaceId: dnsNs,
      Description: 'the web',
      Type: 'DNS_HTTP',
      InstanceCount: 0,
      CreatorRequestId: 'web-1',
      ResourceOwner: '123456789012',
      CreatedByAccount: '123456789012',
      DnsConfig: {
        RoutingPolicy: 'MULTIVALUE',
        DnsRecords: [
          { Type: 'A', TTL: 60 },
          { Type: 'SRV', TTL: 30 },
        ],
      },
    });
    expect(Service!.Id).toMatch(/^srv-[a-z0-9]{16}$/);
    expect(Service!.Arn).toBe(srvArn(Service!.Id!));
    expect(Service!.CreateDate).toBeInstanceOf(Date);
    expect(Service).not.toHaveProperty('HealthCheckConfig');
    expect((await t.client.send(new GetNamespaceCommand({ Id: dnsNs }))).Namespace!.ServiceCount).toBeGreaterThanOrEqual(1);
  });

  it('finds the namespace by ARN and by the deprecated DnsConfig.NamespaceId', async () => {
    const byArn = await t.client.send(
      new CreateServiceCommand({ Name: 'by-arn', NamespaceId: nsArn(privNs), DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 5 }] } }),
    );
    expect(byArn.Service!.NamespaceId).toBe(privNs);
    const old = await t.client.send(
      new CreateServiceCommand({ Name: 'by-old-member', DnsConfig: { NamespaceId: privNs, DnsRecords: [{ Type: 'AAAA', TTL: 5 }] } }),
    );
    expect(old.Service!.NamespaceId).toBe(privNs);
  });

  it('returns the same service when created again with the same name and CreatorRequestId', async () => {
    const first = await t.client.send(new CreateServiceCommand({ Name: 'again', NamespaceId: httpNs, CreatorRequestId: 'again-1' }));
    const retry = await t.client.send(new CreateServiceCommand({ Name: 'again', NamespaceId: httpNs, CreatorRequestId: 'again-1' }));
    expect(retry.Service!.Id).toBe(first.Service!.Id);
    expect(retry.Service!.CreateDate).toEqual(first.Service!.CreateDate);
  });

  it('answers ServiceAlreadyExists with the existing service for a name that differs only in case in a DNS namespace', async () => {
    const first = await t.client.send(new CreateServiceCommand({ Name: 'Api', NamespaceId: dnsNs, CreatorRequestId: 'api-1' }));
    const e = await errorOf(t.client.send(new CreateServiceCommand({ Name: 'api', NamespaceId: dnsNs, CreatorRequestId: 'api-2' })));
    expect(e.name).toBe('ServiceAlreadyExists');
    expect(e.ServiceId).toBe(first.Service!.Id);
    expect(e.ServiceArn).toBe(first.Service!.Arn);
    expect(e.CreatorRequestId).toBe('api-1');
    expect(e.message).toContain('api');
  });

  it('keeps names that differ in case apart in an HTTP namespace', async () => {
    const a = await t.client.send(new CreateServiceCommand({ Name: 'Case', NamespaceId: httpNs }));
    const b = await t.client.send(new CreateServiceCommand({ Name: 'case', NamespaceId: httpNs }));
    expect(a.Service!.Id).not.toBe(b.Service!.Id);
    expect(b.Service!.Type).toBe('HTTP');
  });

  it('fills health check defaults: ResourcePath / and FailureThreshold 3; custom config reads back FailureThreshold 1', async () => {
    const http = await t.client.send(
      new CreateServiceCommand({ Name: 'checked', NamespaceId: dnsNs, HealthCheckConfig: { Type: 'HTTPS' } }),
    );
    expect(http.Service!.HealthCheckConfig).toEqual({ Type: 'HTTPS', ResourcePath: '/', FailureThreshold: 3 });
    const tcp = await t.client.send(
      new CreateServiceCommand({ Name: 'tcp-checked', NamespaceId: privNs, HealthCheckConfig: { Type: 'TCP', FailureThreshold: 7 } }),
    );
    expect(tcp.Service!.HealthCheckConfig).toEqual({ Type: 'TCP', FailureThreshold: 7 });
    const custom = await t.client.send(
      new CreateServiceCommand({ Name: 'custom', NamespaceId: httpNs, HealthCheckCustomConfig: { FailureThreshold: 5 } }),
    );
    expect(custom.Service!.HealthCheckCustomConfig).toEqual({ FailureThreshold: 1 });
  });

  it('creates a CNAME service with WEIGHTED routing and stores the tags it was given', async () => {
    const { Service } = await t.client.send(
      new CreateServiceCommand({
        Name: 'alias',
        NamespaceId: dnsNs,
        DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [{ Type: 'CNAME', TTL: 300 }] },
        Tags: [
          { Key: 'env', Value: 'prod' },
          { Key: 'env', Value: 'test' },
          { Key: 'empty', Value: '' },
        ],
      }),
    );
    expect(Service!.DnsConfig).toEqual({ RoutingPolicy: 'WEIGHTED', DnsRecords: [{ Type: 'CNAME', TTL: 300 }] });
    const { Tags } = await t.client.send(new ListTagsForResourceCommand({ ResourceARN: Service!.Arn }));
    expect(Tags).toEqual([
      { Key: 'env', Value: 'test' },
      { Key: 'empty', Value: '' },
    ]);
  });

  it('answers GetService by id or ARN, and ServiceNotFound naming an unknown id', async () => {
    const { Service } = await t.client.send(new CreateServiceCommand({ Name: 'getme', NamespaceId: httpNs }));
    expect((await t.client.send(new GetServiceCommand({ Id: Service!.Arn }))).Service!.Id).toBe(Service!.Id);
    const e = await errorOf(t.client.send(new GetServiceCommand({ Id: 'srv-doesnotexist000' })));
    expect(e.name).toBe('ServiceNotFound');
    expect(e.message).toContain('srv-doesnotexist000');
  });
});

describe('listing services', () => {
  let l: TestServer;
  let a: string;
  let b: string;
  beforeAll(async () => {
    // CreateDate has millisecond resolution and ties go by id, so each service gets a millisecond of its own.
    const clock = new TestClock();
    l = await startTestServer({ timers: clock });
    const httpNamespace = async (Name: string): Promise<string> => {
      const { OperationId } = await l.client.send(new CreateHttpNamespaceCommand({ Name }));
      return (await l.client.send(new GetOperationCommand({ OperationId }))).Operation!.Targets!.NAMESPACE!;
    };
    const createService = async (input: ConstructorParameters<typeof CreateServiceCommand>[0]): Promise<void> => {
      await l.client.send(new CreateServiceCommand(input));
      await clock.advance(1);
    };
    a = await httpNamespace('list-a');
    b = await httpNamespace('list-b');
    for (let i = 0; i < 5; i++) await createService({ Name: `a${i}`, NamespaceId: a });
    for (let i = 0; i < 2; i++) await createService({ Name: `b${i}`, NamespaceId: b, CreatorRequestId: `b${i}` });
  });
  afterAll(async () => {
    await l.stop();
  });

  const names = async (Filters?: ServiceFilter[]): Promise<string[]> => {
    const { Services } = await l.client.send(new ListServicesCommand({ ...(Filters ? { Filters } : {}) }));
    return Services!.map((s) => s.Name!);
  };

  it('lists every service oldest first, as summaries without NamespaceId or CreatorRequestId', async () => {
    expect(await names()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1']);
    const { Services } = await l.client.send(new ListServicesCommand({}));
    const b0 = Services!.find((s) => s.Name === 'b0')!;
    expect(b0).not.toHaveProperty('NamespaceId');
    expect(b0).not.toHaveProperty('CreatorRequestId');
    expect(b0).toMatchObject({ Type: 'HTTP', InstanceCount: 0, CreatedByAccount: '123456789012' });
    expect(b0.CreateDate).toBeInstanceOf(Date);
  });

  it.each<[string, () => ServiceFilter[], string[]]>([
    ['NAMESPACE_ID EQ by id', () => [{ Name: 'NAMESPACE_ID', Values: [b] }], ['b0', 'b1']],
    ['NAMESPACE_ID EQ by ARN', () => [{ Name: 'NAMESPACE_ID', Condition: 'EQ', Values: [nsArn(b)] }], ['b0', 'b1']],
    ['NAMESPACE_ID IN', () => [{ Name: 'NAMESPACE_ID', Condition: 'IN', Values: [b, a] }], ['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1']],
    ['an unknown NAMESPACE_ID', () => [{ Name: 'NAMESPACE_ID', Values: ['ns-unknown00000000'] }], []],
    [
      'RESOURCE_OWNER SELF',
      () => [
        { Name: 'RESOURCE_OWNER', Values: ['SELF'] },
        { Name: 'NAMESPACE_ID', Values: [b] },
      ],
      ['b0', 'b1'],
    ],
    ['RESOURCE_OWNER OTHER_ACCOUNTS', () => [{ Name: 'RESOURCE_OWNER', Values: ['OTHER_ACCOUNTS'] }], []],
  ])('filters by %s', async (_label, filters, expected) => {
    expect(await names(filters())).toEqual(expected);
  });

  it.each<[string, ServiceFilter, string]>([
    [
      'BEGINS_WITH on NAMESPACE_ID',
      { Name: 'NAMESPACE_ID', Condition: 'BEGINS_WITH', Values: ['ns-'] },
      'does not support Condition BEGINS_WITH',
    ],
    ['EQ with two ids', { Name: 'NAMESPACE_ID', Values: ['ns-a', 'ns-b'] }, 'exactly one value'],
    ['IN on RESOURCE_OWNER', { Name: 'RESOURCE_OWNER', Condition: 'IN', Values: ['SELF'] }, 'RESOURCE_OWNER does not support Condition IN'],
  ])('refuses %s as InvalidInput', async (_label, filter, fragment) => {
    const e = await errorOf(l.client.send(new ListServicesCommand({ Filters: [filter] })));
    expect(e.name).toBe('InvalidInput');
    expect(e.message).toContain(fragment);
  });

  it('walks the services in pages with NextToken and with the SDK paginator', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await l.client.send(new ListServicesCommand({ MaxResults: 3, ...(token ? { NextToken: token } : {}) }));
      seen.push(...page.Services!.map((s) => s.Name!));
      token = page.NextToken;
    } while (token);
    expect(seen).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1']);
    const viaPaginator: string[] = [];
    for await (const page of paginateListServices(
      { client: l.client, pageSize: 2 },
      { Filters: [{ Name: 'NAMESPACE_ID', Values: [a] }] },
    )) {
      viaPaginator.push(...page.Services!.map((s) => s.Name!));
    }
    expect(viaPaginator).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
  });
});

describe('updating services', () => {
  it('changes TTLs and the description, keeps the record types, and records UPDATE_SERVICE on the service and namespace', async () => {
    const { Service } = await t.client.send(
      new CreateServiceCommand({
        Name: 'ttl',
        NamespaceId: dnsNs,
        Description: 'old',
        DnsConfig: {
          DnsRecords: [
            { Type: 'A', TTL: 60 },
            { Type: 'AAAA', TTL: 60 },
          ],
        },
      }),
    );
    const { OperationId } = await t.client.send(
      new UpdateServiceCommand({
        Id: Service!.Id,
        Service: {
          Description: 'new',
          DnsConfig: {
            DnsRecords: [
              { Type: 'AAAA', TTL: 5 },
              { Type: 'A', TTL: 10 },
            ],
          },
        },
      }),
    );
    const op = await t.client.send(new GetOperationCommand({ OperationId }));
    expect(op.Operation).toMatchObject({ Type: 'UPDATE_SERVICE', Status: 'SUCCESS', Targets: { SERVICE: Service!.Id, NAMESPACE: dnsNs } });
    const after = (await t.client.send(new GetServiceCommand({ Id: Service!.Id }))).Service!;
    expect(after.Description).toBe('new');
    expect(after.DnsConfig!.DnsRecords).toEqual([
      { Type: 'A', TTL: 10 },
      { Type: 'AAAA', TTL: 5 },
    ]);
    // An omitted DnsConfig and Description leave them as they are.
    await t.client.send(new UpdateServiceCommand({ Id: Service!.Arn, Service: {} }));
    const again = (await t.client.send(new GetServiceCommand({ Id: Service!.Id }))).Service!;
    expect(again.Description).toBe('new');
    expect(again.DnsConfig!.DnsRecords).toEqual([
      { Type: 'A', TTL: 10 },
      { Type: 'AAAA', TTL: 5 },
    ]);
  });

  it("deletes the health check when HealthCheckConfig is omitted, with its instances' health records", async () => {
    const { Service } = await t.client.send(
      new CreateServiceCommand({
        Name: 'drop-check',
        NamespaceId: privNs,
        DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 60 }] },
        HealthCheckConfig: { Type: 'TCP' },
      }),
    );
    const id = Service!.Id!;
    await seedInstance(t.server, id, 'i-1', { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80' }, 'UNHEALTHY');
    const revision = t.server.catalog.service(id)!.instancesRevision;
    expect(t.server.catalog.health(id, 'i-1')?.status).toBe('UNHEALTHY');
    await t.client.send(new UpdateServiceCommand({ Id: id, Service: { Description: 'no more checks' } }));
    const after = (await t.client.send(new GetServiceCommand({ Id: id }))).Service!;
    expect(after).not.toHaveProperty('HealthCheckConfig');
    expect(t.server.catalog.health(id, 'i-1')).toBeUndefined();
    expect(t.server.catalog.service(id)!.instancesRevision).toBe(revision + 1);
    await removeInstance(t.server, id, 'i-1');
  });

  it('replaces a health check of the same type and adds one to a service without', async () => {
    const { Service } = await t.client.send(
      new CreateServiceCommand({ Name: 'replace-check', NamespaceId: dnsNs, HealthCheckConfig: { Type: 'HTTP', ResourcePath: '/a' } }),
    );
    await t.client.send(
      new UpdateServiceCommand({
        Id: Service!.Id,
        Service: { HealthCheckConfig: { Type: 'HTTP', ResourcePath: '/b', FailureThreshold: 2 } },
      }),
    );
    expect((await t.client.send(new GetServiceCommand({ Id: Service!.Id }))).Service!.HealthCheckConfig).toEqual({
      Type: 'HTTP',
      ResourcePath: '/b',
      FailureThreshold: 2,
    });
    const plain = await t.client.send(new CreateServiceCommand({ Name: 'add-check', NamespaceId: dnsNs }));
    await t.client.send(new UpdateServiceCommand({ Id: plain.Service!.Id, Service: { HealthCheckConfig: { Type: 'TCP' } } }));
    expect((await t.client.send(new GetServiceCommand({ Id: plain.Service!.Id }))).Service!.HealthCheckConfig).toEqual({
      Type: 'TCP',
      FailureThreshold: 3,
    });
  });

  it.each<[string, () => Promise<{ id: string; change: object }>, string]>([
    [
      'a service of an HTTP namespace',
      async () => {
        const { Service } = await t.client.send(new CreateServiceCommand({ Name: 'upd-http', NamespaceId: httpNs }));
        return { id: Service!.Id!, change: { Description: 'x' } };
      },
      'services of HTTP namespaces cannot be updated',
    ],
    [
      'another set of record types',
      async () => {
        const { Service } = await t.client.send(
          new CreateServiceCommand({ Name: 'upd-types', NamespaceId: dnsNs, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 1 }] } }),
        );
        return {
          id: Service!.Id!,
          change: {
            DnsConfig: {
              DnsRecords: [
                { Type: 'A', TTL: 1 },
                { Type: 'SRV', TTL: 1 },
              ],
            },
          },
        };
      },
      'only TTLs can change',
    ],
    [
      'DNS records for a service without DnsConfig',
      async () => {
        const { Service } = await t.client.send(new CreateServiceCommand({ Name: 'upd-nodns', NamespaceId: dnsNs }));
        return { id: Service!.Id!, change: { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 1 }] } } };
      },
      'has no DnsConfig',
    ],
    [
      'another health check type',
      async () => {
        const { Service } = await t.client.send(
          new CreateServiceCommand({ Name: 'upd-hctype', NamespaceId: dnsNs, HealthCheckConfig: { Type: 'HTTP' } }),
        );
        return { id: Service!.Id!, change: { HealthCheckConfig: { Type: 'TCP' } } };
      },
      'cannot change to TCP',
    ],
    [
      'a health check on a custom-health service',
      async () => {
        const { Service } = await t.client.send(
          new CreateServiceCommand({ Name: 'upd-custom', NamespaceId: dnsNs, HealthCheckCustomConfig: {} }),
        );
        return { id: Service!.Id!, change: { HealthCheckConfig: { Type: 'TCP' } } };
      },
      'HealthCheckCustomConfig',
    ],
    [
      'a health check on a CNAME service',
      async () => {
        const { Service } = await t.client.send(
          new CreateServiceCommand({
            Name: 'upd-cname',
            NamespaceId: dnsNs,
            DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [{ Type: 'CNAME', TTL: 1 }] },
          }),
        );
        return { id: Service!.Id!, change: { HealthCheckConfig: { Type: 'TCP' } } };
      },
      'CNAME',
    ],
  ])('refuses to update %s with InvalidInput', async (_label, setup, fragment) => {
    const { id, change } = await setup();
    const before = t.server.catalog.service(id);
    const e = await errorOf(t.client.send(new UpdateServiceCommand({ Id: id, Service: change })));
    expect(e.name).toBe('InvalidInput');
    expect(e.message).toContain(fragment);
    expect(t.server.catalog.service(id)).toEqual(before);
  });

  it('answers ServiceNotFound for an update of an unknown service', async () => {
    const e = await errorOf(t.client.send(new UpdateServiceCommand({ Id: 'srv-nothing000000000', Service: {} })));
    expect(e.name).toBe('ServiceNotFound');
    expect(e.message).toContain('srv-nothing000000000');
  });
});

describe('deleting services', () => {
  it('refuses while instances are registered, then deletes the service with its attributes and tags', async () => {
    const { Service } = await t.client.send(
      new CreateServiceCommand({ Name: 'doomed', NamespaceId: httpNs, Tags: [{ Key: 'k', Value: 'v' }] }),
    );
    const id = Service!.Id!;
    await t.client.send(new UpdateServiceAttributesCommand({ ServiceId: id, Attributes: { a: '1' } }));
    await seedInstance(t.server, id, 'i-1', {});
    const e = await errorOf(t.client.send(new DeleteServiceCommand({ Id: id })));
    expect(e.name).toBe('ResourceInUse');
    expect(e.message).toContain(id);
    await removeInstance(t.server, id, 'i-1');
    const out = await t.client.send(new DeleteServiceCommand({ Id: Service!.Arn }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect((await errorOf(t.client.send(new GetServiceCommand({ Id: id })))).name).toBe('ServiceNotFound');
    expect((await errorOf(t.client.send(new GetServiceAttributesCommand({ ServiceId: id })))).name).toBe('ServiceNotFound');
    expect((await errorOf(t.client.send(new ListTagsForResourceCommand({ ResourceARN: Service!.Arn })))).name).toBe(
      'ResourceNotFoundException',
    );
    expect(t.server.catalog.tags(id)).toEqual([]);
    expect((await errorOf(t.client.send(new DeleteServiceCommand({ Id: id })))).name).toBe('ServiceNotFound');
  });
});

describe('service attributes', () => {
  it('merges on update, ignores unknown keys on delete and reads back with the service ARN', async () => {
    const { Service } = await t.client.send(new CreateServiceCommand({ Name: 'attrs', NamespaceId: httpNs }));
    const id = Service!.Id!;
    expect((await t.client.send(new GetServiceAttributesCommand({ ServiceId: id }))).ServiceAttributes).toEqual({
      ServiceArn: Service!.Arn,
      ResourceOwner: '123456789012',
      Attributes: {},
    });
    await t.client.send(new UpdateServiceAttributesCommand({ ServiceId: id, Attributes: { a: '1', b: '2' } }));
    await t.client.send(new UpdateServiceAttributesCommand({ ServiceId: Service!.Arn!, Attributes: { b: '3', c: '' } }));
    await t.client.send(new DeleteServiceAttributesCommand({ ServiceId: id, Attributes: ['a', 'nope'] }));
    const { ServiceAttributes } = await t.client.send(new GetServiceAttributesCommand({ ServiceId: id }));
    expect(ServiceAttributes!.Attributes).toEqual({ b: '3', c: '' });
  });

  it('refuses to go past 30 attributes with ServiceAttributesLimitExceededException and applies nothing', async () => {
    const { Service } = await t.client.send(new CreateServiceCommand({ Name: 'attrs-limit', NamespaceId: httpNs }));
    const id = Service!.Id!;
    const many = (from: number, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${from + i}`, 'v']));
    await t.client.send(new UpdateServiceAttributesCommand({ ServiceId: id, Attributes: many(0, 28) }));
    // Overwriting existing keys does not count against the limit.
    await t.client.send(new UpdateServiceAttributesCommand({ ServiceId: id, Attributes: { ...many(0, 10), ...many(28, 2) } }));
    const e = await errorOf(
      t.client.send(new UpdateServiceAttributesCommand({ ServiceId: id, Attributes: { extra: 'x', k0: 'changed' } })),
    );
    expect(e.name).toBe('ServiceAttributesLimitExceededException');
    expect(e.message).toContain(id);
    const { ServiceAttributes } = await t.client.send(new GetServiceAttributesCommand({ ServiceId: id }));
    expect(Object.keys(ServiceAttributes!.Attributes!)).toHaveLength(30);
    expect(ServiceAttributes!.Attributes!.k0).toBe('v');
  });

  it('answers ServiceNotFound for attributes of an unknown service', async () => {
    const e = await errorOf(
      t.client.send(new UpdateServiceAttributesCommand({ ServiceId: 'srv-missing000000000', Attributes: { a: 'b' } })),
    );
    expect(e.name).toBe('ServiceNotFound');
    expect(e.message).toContain('srv-missing000000000');
  });
});
