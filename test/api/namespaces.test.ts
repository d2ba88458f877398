// Namespaces through the AWS SDK: create (three types, idempotency, conflicts), get, list with filters
// and pages, update, delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateHttpNamespaceCommand,
  CreatePrivateDnsNamespaceCommand,
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  DeleteNamespaceCommand,
  GetNamespaceCommand,
  GetOperationCommand,
  ListNamespacesCommand,
  ListTagsForResourceCommand,
  paginateListNamespaces,
  UpdateHttpNamespaceCommand,
  UpdatePrivateDnsNamespaceCommand,
  UpdatePublicDnsNamespaceCommand,
  type NamespaceFilter,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { TestClock } from '../support/clock.ts';
import { errorOf } from '../support/sdk-errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ flags: ['--vpc', 'vpc-a=10.0.0.0/16', '--vpc', 'vpc-b=10.1.0.0/16'] });
});
afterAll(async () => {
  await t.stop();
});

/** The namespace an operation created. */
async function namespaceOf(client: ServiceDiscoveryClient, operationId: string | undefined): Promise<string> {
  const { Operation } = await client.send(new GetOperationCommand({ OperationId: operationId! }));
  return Operation!.Targets!.NAMESPACE!;
}

describe('creating namespaces', () => {
  it('creates a public DNS namespace with its SOA TTL, a hosted zone id and the name as HttpName', async () => {
    const { OperationId } = await t.client.send(
      new CreatePublicDnsNamespaceCommand({
        Name: 'pub-one.example',
        CreatorRequestId: 'pub-1',
        Description: 'public',
        Properties: { DnsProperties: { SOA: { TTL: 60 } } },
      }),
    );
    const op = await t.client.send(new GetOperationCommand({ OperationId }));
    expect(op.Operation).toMatchObject({ Type: 'CREATE_NAMESPACE', Status: 'SUCCESS' });
    const id = op.Operation!.Targets!.NAMESPACE!;
    const { Namespace } = await t.client.send(new GetNamespaceCommand({ Id: id }));
    expect(Namespace).toMatchObject({
      Id: id,
      Name: 'pub-one.example',
      Type: 'DNS_PUBLIC',
      Description: 'public',
      ServiceCount: 0,
      CreatorRequestId: 'pub-1',
      ResourceOwner: '123456789012',
      Arn: `arn:aws:servicediscovery:us-east-1:123456789012:namespace/${id}`,
      Properties: { DnsProperties: { SOA: { TTL: 60 } }, HttpProperties: { HttpName: 'pub-one.example' } },
    });
    expect(Namespace!.Properties!.DnsProperties!.HostedZoneId).toMatch(/^Z[A-Z0-9]+$/);
    expect(Namespace!.CreateDate).toBeInstanceOf(Date);
    expect(Math.abs(Namespace!.CreateDate!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('gives a DNS namespace created without Properties the default SOA TTL', async () => {
    const { OperationId } = await t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'pub-default.example' }));
    const { Namespace } = await t.client.send(new GetNamespaceCommand({ Id: await namespaceOf(t.client, OperationId) }));
    expect(Namespace!.Properties!.DnsProperties!.SOA!.TTL).toBe(15);
  });

  it('returns the first OperationId when a public namespace is created again with the same CreatorRequestId', async () => {
    const first = await t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'retry.example', CreatorRequestId: 'retry-1' }));
    const again = await t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'retry.example', CreatorRequestId: 'retry-1' }));
    expect(again.OperationId).toBe(first.OperationId);
    const { Namespaces } = await t.client.send(new ListNamespacesCommand({ Filters: [{ Name: 'NAME', Values: ['retry.example'] }] }));
    expect(Namespaces).toHaveLength(1);
  });

  it('answers NamespaceAlreadyExists with the existing id and CreatorRequestId for the same public name in another case', async () => {
    const first = await t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'case.example', CreatorRequestId: 'case-1' }));
    const id = await namespaceOf(t.client, first.OperationId);
    const e = await errorOf(t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'CASE.example', CreatorRequestId: 'case-2' })));
    expect(e.name).toBe('NamespaceAlreadyExists');
    expect(e.NamespaceId).toBe(id);
    expect(e.CreatorRequestId).toBe('case-1');
    expect(e.message).toContain(id);
  });

  it('allows one private name in two VPCs but not twice in one VPC', async () => {
    const a = await t.client.send(new CreatePrivateDnsNamespaceCommand({ Name: 'svc.internal', Vpc: 'vpc-a', CreatorRequestId: 'p-a' }));
    const b = await t.client.send(new CreatePrivateDnsNamespaceCommand({ Name: 'svc.internal', Vpc: 'vpc-b' }));
    const idA = await namespaceOf(t.client, a.OperationId);
    const idB = await namespaceOf(t.client, b.OperationId);
    expect(idA).not.toBe(idB);
    const e = await errorOf(t.client.send(new CreatePrivateDnsNamespaceCommand({ Name: 'SVC.internal', Vpc: 'vpc-a' })));
    expect(e.name).toBe('NamespaceAlreadyExists');
    expect(e.NamespaceId).toBe(idA);
    // The second one could not take the HttpName svc.internal, so it got a suffix.
    const { Namespace } = await t.client.send(new GetNamespaceCommand({ Id: idB }));
    expect(Namespace!.Properties!.HttpProperties!.HttpName).toMatch(/^svc\.internal-[0-9a-f]{8}$/);
    expect(Namespace!.Type).toBe('DNS_PRIVATE');
  });

  it('refuses a private namespace in a VPC that --vpc does not configure, naming the VPC and the flag', async () => {
    const e = await errorOf(t.client.send(new CreatePrivateDnsNamespaceCommand({ Name: 'lost.internal', Vpc: 'vpc-unknown' })));
    expect(e.name).toBe('InvalidInput');
    expect(e.message).toContain('vpc-unknown');
    expect(e.message).toContain('--vpc');
  });

  it('allows an HTTP namespace with the name of a DNS namespace, under a suffixed HttpName', async () => {
    const { OperationId } = await t.client.send(new CreateHttpNamespaceCommand({ Name: 'pub-one.example' }));
    const { Namespace } = await t.client.send(new GetNamespaceCommand({ Id: await namespaceOf(t.client, OperationId) }));
    expect(Namespace).toMatchObject({ Name: 'pub-one.example', Type: 'HTTP', Properties: { DnsProperties: {} } });
    expect(Namespace!.Properties!.HttpProperties!.HttpName).toMatch(/^pub-one\.example-[0-9a-f]{8}$/);
  });

  it('answers GetNamespace for an unknown id with NamespaceNotFound naming it', async () => {
    const e = await errorOf(t.client.send(new GetNamespaceCommand({ Id: 'ns-doesnotexist0000' })));
    expect(e.name).toBe('NamespaceNotFound');
    expect(e.message).toContain('ns-doesnotexist0000');
  });

  it('enforces the namespace limit with ResourceLimitExceeded', async () => {
    const small = await startTestServer({ flags: ['--max-namespaces', '2'] });
    try {
      await small.client.send(new CreateHttpNamespaceCommand({ Name: 'one' }));
      await small.client.send(new CreateHttpNamespaceCommand({ Name: 'two' }));
      const e = await errorOf(small.client.send(new CreateHttpNamespaceCommand({ Name: 'three' })));
      expect(e.name).toBe('ResourceLimitExceeded');
      expect(e.message).toContain('2');
    } finally {
      await small.stop();
    }
  });
});

describe('listing namespaces', () => {
  let l: TestServer;
  beforeAll(async () => {
    // CreateDate has millisecond resolution and ties go by id, so each namespace gets a millisecond of its own.
    const clock = new TestClock();
    l = await startTestServer({ flags: ['--vpc', 'vpc-a=10.0.0.0/16'], timers: clock });
    const create = async (sent: Promise<unknown>): Promise<void> => {
      await sent;
      await clock.advance(1);
    };
    for (let i = 0; i < 5; i++) await create(l.client.send(new CreateHttpNamespaceCommand({ Name: `http-${i}` })));
    await create(l.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'alpha.example' })));
    await create(l.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'beta.example' })));
    await create(l.client.send(new CreatePrivateDnsNamespaceCommand({ Name: 'alpha.internal', Vpc: 'vpc-a' })));
  });
  afterAll(async () => {
    await l.stop();
  });

  const names = async (Filters: NamespaceFilter[]): Promise<string[]> => {
    const { Namespaces } = await l.client.send(new ListNamespacesCommand({ Filters }));
    return Namespaces!.map((n) => n.Name!).sort();
  };

  it.each<[string, NamespaceFilter[], string[]]>([
    ['TYPE EQ (the default condition)', [{ Name: 'TYPE', Values: ['DNS_PUBLIC'] }], ['alpha.example', 'beta.example']],
    [
      'TYPE BEGINS_WITH',
      [{ Name: 'TYPE', Condition: 'BEGINS_WITH', Values: ['DNS'] }],
      ['alpha.example', 'alpha.internal', 'beta.example'],
    ],
    [
      'TYPE IN',
      [{ Name: 'TYPE', Condition: 'IN', Values: ['DNS_PRIVATE', 'DNS_PUBLIC'] }],
      ['alpha.example', 'alpha.internal', 'beta.example'],
    ],
    ['NAME EQ', [{ Name: 'NAME', Condition: 'EQ', Values: ['http-3'] }], ['http-3']],
    ['NAME BEGINS_WITH', [{ Name: 'NAME', Condition: 'BEGINS_WITH', Values: ['alpha.'] }], ['alpha.example', 'alpha.internal']],
    ['HTTP_NAME EQ', [{ Name: 'HTTP_NAME', Values: ['beta.example'] }], ['beta.example']],
    [
      'RESOURCE_OWNER SELF',
      [
        { Name: 'RESOURCE_OWNER', Values: ['SELF'] },
        { Name: 'TYPE', Values: ['DNS_PRIVATE'] },
      ],
      ['alpha.internal'],
    ],
    ['RESOURCE_OWNER OTHER_ACCOUNTS', [{ Name: 'RESOURCE_OWNER', Values: ['OTHER_ACCOUNTS'] }], []],
    [
      'several filters (all must match)',
      [
        { Name: 'TYPE', Values: ['DNS_PUBLIC'] },
        { Name: 'NAME', Condition: 'BEGINS_WITH', Values: ['b'] },
      ],
      ['beta.example'],
    ],
  ])('filters by %s', async (_label, filters, expected) => {
    expect(await names(filters)).toEqual(expected);
  });

  it.each<[string, NamespaceFilter, string]>([
    ['BETWEEN', { Name: 'TYPE', Condition: 'BETWEEN', Values: ['HTTP', 'DNS_PUBLIC'] }, 'does not support Condition BETWEEN'],
    ['EQ with two values', { Name: 'NAME', Condition: 'EQ', Values: ['a', 'b'] }, 'exactly one value'],
    ['an unknown TYPE', { Name: 'TYPE', Values: ['DNS'] }, 'Filter TYPE value DNS'],
    ['a prefix of no TYPE', { Name: 'TYPE', Condition: 'BEGINS_WITH', Values: ['X'] }, 'Filter TYPE value X'],
    ['IN on NAME', { Name: 'NAME', Condition: 'IN', Values: ['a'] }, 'Filter NAME does not support Condition IN'],
    ['an unknown RESOURCE_OWNER', { Name: 'RESOURCE_OWNER', Values: ['ME'] }, 'SELF or OTHER_ACCOUNTS'],
  ])('refuses a filter with %s as InvalidInput', async (_label, filter, fragment) => {
    const e = await errorOf(l.client.send(new ListNamespacesCommand({ Filters: [filter] })));
    expect(e.name).toBe('InvalidInput');
    expect(e.message).toContain(fragment);
  });

  it('walks every namespace once in pages of two, oldest first, with NextToken absent on the last page', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await l.client.send(new ListNamespacesCommand({ MaxResults: 2, ...(token ? { NextToken: token } : {}) }));
      expect(page.Namespaces!.length).toBeGreaterThan(0);
      expect(page.Namespaces!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Namespaces!.map((n) => n.Name!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(4);
    expect(seen).toEqual(['http-0', 'http-1', 'http-2', 'http-3', 'http-4', 'alpha.example', 'beta.example', 'alpha.internal']);
  });

  it('serves the SDK paginator and omits CreatorRequestId in summaries', async () => {
    const all = [];
    for await (const page of paginateListNamespaces({ client: l.client, pageSize: 3 }, { Filters: [{ Name: 'TYPE', Values: ['HTTP'] }] })) {
      all.push(...page.Namespaces!);
    }
    expect(all.map((n) => n.Name)).toEqual(['http-0', 'http-1', 'http-2', 'http-3', 'http-4']);
    expect(all[0]).not.toHaveProperty('CreatorRequestId');
    expect(all[0]!.CreateDate).toBeInstanceOf(Date);
    expect(all[0]!.ServiceCount).toBe(0);
  });
});

describe('updating namespaces', () => {
  it('changes the description of an HTTP namespace and returns the same OperationId for a retried UpdaterRequestId', async () => {
    const { OperationId } = await t.client.send(new CreateHttpNamespaceCommand({ Name: 'upd-http', Description: 'before' }));
    const id = await namespaceOf(t.client, OperationId);
    const first = await t.client.send(
      new UpdateHttpNamespaceCommand({ Id: id, UpdaterRequestId: 'u-1', Namespace: { Description: 'after' } }),
    );
    const retry = await t.client.send(
      new UpdateHttpNamespaceCommand({ Id: id, UpdaterRequestId: 'u-1', Namespace: { Description: 'after' } }),
    );
    expect(retry.OperationId).toBe(first.OperationId);
    const op = await t.client.send(new GetOperationCommand({ OperationId: first.OperationId }));
    expect(op.Operation).toMatchObject({ Type: 'UPDATE_NAMESPACE', Status: 'SUCCESS', Targets: { NAMESPACE: id } });
    const { Namespace } = await t.client.send(new GetNamespaceCommand({ Id: id }));
    expect(Namespace!.Description).toBe('after');
  });

  it('answers DuplicateRequest with the earlier operation when an UpdaterRequestId is reused for another change', async () => {
    const { OperationId } = await t.client.send(new CreateHttpNamespaceCommand({ Name: 'upd-dup' }));
    const id = await namespaceOf(t.client, OperationId);
    const first = await t.client.send(
      new UpdateHttpNamespaceCommand({ Id: id, UpdaterRequestId: 'same', Namespace: { Description: 'one' } }),
    );
    const e = await errorOf(
      t.client.send(new UpdateHttpNamespaceCommand({ Id: id, UpdaterRequestId: 'same', Namespace: { Description: 'two' } })),
    );
    expect(e.name).toBe('DuplicateRequest');
    expect(e.DuplicateOperationId).toBe(first.OperationId);
    expect(e.message).toContain('same');
  });

  it('changes the SOA TTL of a public namespace and keeps an omitted description', async () => {
    const { OperationId } = await t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'upd.example', Description: 'kept' }));
    const id = await namespaceOf(t.client, OperationId);
    await t.client.send(
      new UpdatePublicDnsNamespaceCommand({ Id: id, Namespace: { Properties: { DnsProperties: { SOA: { TTL: 300 } } } } }),
    );
    const { Namespace } = await t.client.send(new GetNamespaceCommand({ Id: id }));
    expect(Namespace).toMatchObject({ Description: 'kept', Properties: { DnsProperties: { SOA: { TTL: 300 } } } });
    expect(t.server.catalog.namespace(id)!.soaTtl).toBe(300);
  });

  it('updates a private namespace addressed by its ARN', async () => {
    const { OperationId } = await t.client.send(new CreatePrivateDnsNamespaceCommand({ Name: 'upd.internal', Vpc: 'vpc-a' }));
    const id = await namespaceOf(t.client, OperationId);
    const arn = `arn:aws:servicediscovery:us-east-1:123456789012:namespace/${id}`;
    await t.client.send(
      new UpdatePrivateDnsNamespaceCommand({
        Id: arn,
        Namespace: { Description: 'by arn', Properties: { DnsProperties: { SOA: { TTL: 5 } } } },
      }),
    );
    const { Namespace } = await t.client.send(new GetNamespaceCommand({ Id: arn }));
    expect(Namespace).toMatchObject({ Id: id, Description: 'by arn', Properties: { DnsProperties: { SOA: { TTL: 5 } } } });
  });

  it('refuses the Update call of another namespace type, naming the right one', async () => {
    const { OperationId } = await t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'wrong-type.example' }));
    const id = await namespaceOf(t.client, OperationId);
    const e = await errorOf(t.client.send(new UpdateHttpNamespaceCommand({ Id: id, Namespace: { Description: 'x' } })));
    expect(e.name).toBe('InvalidInput');
    expect(e.message).toContain(id);
    expect(e.message).toContain('UpdatePublicDnsNamespace');
    const e2 = await errorOf(t.client.send(new UpdatePrivateDnsNamespaceCommand({ Id: id, Namespace: { Description: 'x' } })));
    expect(e2.name).toBe('InvalidInput');
  });

  it('answers NamespaceNotFound for an update of an unknown namespace', async () => {
    const e = await errorOf(t.client.send(new UpdateHttpNamespaceCommand({ Id: 'ns-nothinghere0000', Namespace: { Description: 'x' } })));
    expect(e.name).toBe('NamespaceNotFound');
    expect(e.message).toContain('ns-nothinghere0000');
  });
});

describe('deleting namespaces', () => {
  it('refuses to delete a namespace that has services with ResourceInUse', async () => {
    const { OperationId } = await t.client.send(new CreateHttpNamespaceCommand({ Name: 'busy' }));
    const id = await namespaceOf(t.client, OperationId);
    await t.client.send(new CreateServiceCommand({ Name: 'svc', NamespaceId: id }));
    const e = await errorOf(t.client.send(new DeleteNamespaceCommand({ Id: id })));
    expect(e.name).toBe('ResourceInUse');
    expect(e.message).toContain(id);
    expect((await t.client.send(new GetNamespaceCommand({ Id: id }))).Namespace!.ServiceCount).toBe(1);
  });

  it('deletes a namespace with its tags and records a DELETE_NAMESPACE operation', async () => {
    const { OperationId } = await t.client.send(new CreateHttpNamespaceCommand({ Name: 'gone', Tags: [{ Key: 'team', Value: 'a' }] }));
    const id = await namespaceOf(t.client, OperationId);
    const arn = `arn:aws:servicediscovery:us-east-1:123456789012:namespace/${id}`;
    expect((await t.client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: 'team', Value: 'a' }]);
    const del = await t.client.send(new DeleteNamespaceCommand({ Id: id }));
    const op = await t.client.send(new GetOperationCommand({ OperationId: del.OperationId }));
    expect(op.Operation).toMatchObject({ Type: 'DELETE_NAMESPACE', Status: 'SUCCESS', Targets: { NAMESPACE: id } });
    expect((await errorOf(t.client.send(new GetNamespaceCommand({ Id: id })))).name).toBe('NamespaceNotFound');
    expect((await errorOf(t.client.send(new ListTagsForResourceCommand({ ResourceARN: arn })))).name).toBe('ResourceNotFoundException');
    expect(t.server.catalog.tags(id)).toEqual([]);
    expect((await errorOf(t.client.send(new DeleteNamespaceCommand({ Id: id })))).name).toBe('NamespaceNotFound');
  });
});
