// The rules of CreateService and the namespace Create calls, one row per rule: input → error code and a
// fragment of its message (docs/cloud-map-api.md: identifiers, namespaces, services, tags).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateHttpNamespaceCommand,
  CreatePrivateDnsNamespaceCommand,
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  type CreateHttpNamespaceCommandInput,
  type CreatePrivateDnsNamespaceCommandInput,
  type CreatePublicDnsNamespaceCommandInput,
  type CreateServiceCommandInput,
} from '@aws-sdk/client-servicediscovery';
import { errorOf } from '../support/sdk-errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let t: TestServer;
const ns: { http: string; pub: string; priv: string } = { http: '', pub: '', priv: '' };
const longLabel = 'l'.repeat(63);
const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));

beforeAll(async () => {
  t = await startTestServer({ flags: ['--vpc', 'vpc-ok=10.0.0.0/8'] });
  const target = async (op: Promise<{ OperationId?: string }>) =>
    (await t.client.send(new GetOperationCommand({ OperationId: (await op).OperationId }))).Operation!.Targets!.NAMESPACE!;
  ns.http = await target(t.client.send(new CreateHttpNamespaceCommand({ Name: 'v-http' })));
  ns.pub = await target(t.client.send(new CreatePublicDnsNamespaceCommand({ Name: `${longLabel}.${longLabel}.${longLabel}.example` })));
  ns.priv = await target(t.client.send(new CreatePrivateDnsNamespaceCommand({ Name: 'v.internal', Vpc: 'vpc-ok' })));
});
afterAll(async () => {
  await t.stop();
});

type Where = keyof typeof ns;
const A = { Type: 'A' as const, TTL: 60 };
const CNAME = { Type: 'CNAME' as const, TTL: 60 };

// [rule, namespace, input (without NamespaceId unless given), code, message fragment]
const serviceRows: [string, Where | null, Partial<CreateServiceCommandInput>, string, string][] = [
  ['DnsConfig in an HTTP namespace', 'http', { Name: 's1', DnsConfig: { DnsRecords: [A] } }, 'InvalidInput', 'HTTP namespace'],
  [
    'Type HTTP with DnsConfig',
    'pub',
    { Name: 's2', Type: 'HTTP', DnsConfig: { DnsRecords: [A] } },
    'InvalidInput',
    'Type HTTP cannot be combined with DnsConfig',
  ],
  [
    'no DNS records',
    'pub',
    { Name: 's3', DnsConfig: { DnsRecords: [] } },
    'InvalidInput',
    'DnsConfig.DnsRecords must contain at least one record',
  ],
  [
    'a record type twice',
    'pub',
    { Name: 's4', DnsConfig: { DnsRecords: [A, { Type: 'A', TTL: 1 }] } },
    'InvalidInput',
    'more than one record of type A',
  ],
  [
    'CNAME with another record',
    'pub',
    { Name: 's5', DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [CNAME, A] } },
    'InvalidInput',
    'CNAME record must be the only record',
  ],
  [
    'CNAME with the default MULTIVALUE routing',
    'pub',
    { Name: 's6', DnsConfig: { DnsRecords: [CNAME] } },
    'InvalidInput',
    'RoutingPolicy must be WEIGHTED',
  ],
  [
    'CNAME with MULTIVALUE routing',
    'priv',
    { Name: 's7', DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [CNAME] } },
    'InvalidInput',
    'RoutingPolicy must be WEIGHTED',
  ],
  [
    'CNAME at the namespace apex',
    'pub',
    { Name: '.', DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [CNAME] } },
    'InvalidInput',
    'apex',
  ],
  [
    'a health check with CNAME',
    'pub',
    { Name: 's8', DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [CNAME] }, HealthCheckConfig: { Type: 'HTTP' } },
    'InvalidInput',
    'CNAME',
  ],
  [
    'ResourcePath on a TCP check',
    'pub',
    { Name: 's9', HealthCheckConfig: { Type: 'TCP', ResourcePath: '/x' } },
    'InvalidInput',
    'ResourcePath must be omitted when Type is TCP',
  ],
  [
    'a ResourcePath without a leading slash',
    'http',
    { Name: 's10', HealthCheckConfig: { Type: 'HTTP', ResourcePath: 'health' } },
    'InvalidInput',
    'ResourcePath "health" must start with /',
  ],
  [
    'a ResourcePath with a space',
    'http',
    { Name: 's11', HealthCheckConfig: { Type: 'HTTPS', ResourcePath: '/a b' } },
    'InvalidInput',
    'no spaces',
  ],
  [
    'both kinds of health check',
    'http',
    { Name: 's12', HealthCheckConfig: { Type: 'TCP' }, HealthCheckCustomConfig: {} },
    'InvalidInput',
    'HealthCheckConfig and HealthCheckCustomConfig cannot both be given',
  ],
  [
    'FailureThreshold above 10',
    'http',
    { Name: 's13', HealthCheckConfig: { Type: 'TCP', FailureThreshold: 11 } },
    'InvalidInput',
    'HealthCheckConfig.FailureThreshold',
  ],
  [
    'FailureThreshold 0',
    'http',
    { Name: 's14', HealthCheckCustomConfig: { FailureThreshold: 0 } },
    'InvalidInput',
    'HealthCheckCustomConfig.FailureThreshold',
  ],
  ['a negative TTL', 'pub', { Name: 's15', DnsConfig: { DnsRecords: [{ Type: 'A', TTL: -1 }] } }, 'InvalidInput', 'TTL'],
  ['no namespace at all', null, { Name: 's16' }, 'InvalidInput', 'NamespaceId is required'],
  ['an unknown namespace', null, { Name: 's17', NamespaceId: 'ns-unknown00000000' }, 'NamespaceNotFound', 'ns-unknown00000000'],
  [
    'a namespace ARN of another account',
    null,
    { Name: 's18', NamespaceId: 'arn:aws:servicediscovery:us-east-1:999999999999:namespace/ns-x' },
    'NamespaceNotFound',
    '999999999999',
  ],
  ['a name with a space', 'http', { Name: 'bad name' }, 'InvalidInput', 'Name'],
  ['a name with a label over 63 characters', 'http', { Name: 'x'.repeat(64) }, 'InvalidInput', 'Name'],
  ['a name with a trailing dot', 'pub', { Name: 'web.' }, 'InvalidInput', 'Name'],
  ['a name too long with the namespace', 'pub', { Name: `${longLabel}.${longLabel}` }, 'InvalidInput', 'exceeds 253 characters'],
  ['a description over 1024 characters', 'http', { Name: 's19', Description: 'd'.repeat(1025) }, 'InvalidInput', 'Description'],
  ['a tag with the aws: prefix', 'http', { Name: 's20', Tags: [{ Key: 'aws:x', Value: 'v' }] }, 'InvalidInput', 'aws:x'],
  ['51 tags', 'http', { Name: 's21', Tags: tags(51) }, 'TooManyTagsException', '50'],
];

describe('CreateService rules', () => {
  it.each(serviceRows)('refuses %s', async (_rule, where, input, code, fragment) => {
    const body = { ...input, ...(where ? { NamespaceId: ns[where] } : {}) } as CreateServiceCommandInput;
    const e = await errorOf(t.client.send(new CreateServiceCommand(body)));
    expect(e.name).toBe(code);
    expect(e.message).toContain(fragment);
    expect(e.$metadata.httpStatusCode).toBe(400);
  });

  it('refuses NamespaceId and DnsConfig.NamespaceId that name different namespaces', async () => {
    const e = await errorOf(
      t.client.send(
        new CreateServiceCommand({ Name: 'two-ns', NamespaceId: ns.pub, DnsConfig: { NamespaceId: ns.priv, DnsRecords: [A] } }),
      ),
    );
    expect(e.name).toBe('InvalidInput');
    expect(e.message).toContain(ns.priv);
  });

  it('creates nothing when a rule is broken', async () => {
    const before = [...t.server.catalog.services()].length;
    await errorOf(t.client.send(new CreateServiceCommand({ Name: 'nothing', NamespaceId: ns.pub, DnsConfig: { DnsRecords: [CNAME] } })));
    expect([...t.server.catalog.services()].length).toBe(before);
  });

  it.each<[string, Where, Partial<CreateServiceCommandInput>]>([
    ['A, AAAA and SRV together', 'pub', { Name: 'ok1', DnsConfig: { DnsRecords: [A, { Type: 'AAAA', TTL: 1 }, { Type: 'SRV', TTL: 1 }] } }],
    ['a WEIGHTED CNAME', 'priv', { Name: 'ok2', DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [CNAME] } }],
    ['records at the apex', 'pub', { Name: '.', DnsConfig: { DnsRecords: [A] } }],
    [
      'a health check in a private namespace',
      'priv',
      { Name: 'ok3', DnsConfig: { DnsRecords: [A] }, HealthCheckConfig: { Type: 'HTTP', ResourcePath: '/health?x=1' } },
    ],
    ['a health check in an HTTP namespace', 'http', { Name: 'ok4', HealthCheckConfig: { Type: 'TCP' } }],
    ['an API-only service in a DNS namespace', 'pub', { Name: 'ok5', Type: 'HTTP' }],
    ['underscored labels', 'priv', { Name: '_http._tcp', DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 1 }] } }],
    ['50 tags', 'http', { Name: 'ok6', Tags: tags(50) }],
  ])('accepts %s', async (_rule, where, input) => {
    const { Service } = await t.client.send(new CreateServiceCommand({ ...input, NamespaceId: ns[where] } as CreateServiceCommandInput));
    expect(Service!.Id).toMatch(/^srv-/);
    expect(Service!.NamespaceId).toBe(ns[where]);
  });
});

type NamespaceCall =
  | ['http', CreateHttpNamespaceCommandInput]
  | ['public', CreatePublicDnsNamespaceCommandInput]
  | ['private', CreatePrivateDnsNamespaceCommandInput];

const namespaceRows: [string, NamespaceCall, string, string][] = [
  [
    'a VPC not configured with --vpc',
    ['private', { Name: 'a.internal', Vpc: 'vpc-nope' }],
    'InvalidInput',
    'Vpc vpc-nope is not configured',
  ],
  ['an empty Vpc', ['private', { Name: 'a.internal', Vpc: '' }], 'InvalidInput', 'Vpc must not be empty'],
  ['a private name with an empty label', ['private', { Name: 'a..internal', Vpc: 'vpc-ok' }], 'InvalidInput', 'not a valid DNS name'],
  ['a private name with a trailing dot', ['private', { Name: 'a.internal.', Vpc: 'vpc-ok' }], 'InvalidInput', 'a.internal.'],
  [
    'a private label over 63 characters',
    ['private', { Name: `${'x'.repeat(64)}.internal`, Vpc: 'vpc-ok' }],
    'InvalidInput',
    'labels must be 1 to 63',
  ],
  [
    'a private name over 253 characters',
    ['private', { Name: `${longLabel}.${longLabel}.${longLabel}.${longLabel}.x`, Vpc: 'vpc-ok' }],
    'InvalidInput',
    'Name',
  ],
  ['a private name that is an ARN', ['private', { Name: 'arn:aws:x', Vpc: 'vpc-ok' }], 'InvalidInput', 'Name'],
  ['a public name of one label', ['public', { Name: 'localhost' }], 'InvalidInput', 'Name'],
  ['a public name with an underscore', ['public', { Name: 'a_b.example' }], 'InvalidInput', 'Name'],
  ['a public name with a trailing dot', ['public', { Name: 'example.com.' }], 'InvalidInput', 'Name'],
  [
    'a negative SOA TTL',
    ['public', { Name: 'ttl.example', Properties: { DnsProperties: { SOA: { TTL: -1 } } } }],
    'InvalidInput',
    'Properties.DnsProperties.SOA.TTL',
  ],
  ['an HTTP name that is an ARN', ['http', { Name: 'arn:aws:servicediscovery:x' }], 'InvalidInput', 'Name'],
  ['an HTTP name with a space', ['http', { Name: 'a b' }], 'InvalidInput', 'Name'],
  [
    'a CreatorRequestId over 64 characters',
    ['http', { Name: 'long-token', CreatorRequestId: 'r'.repeat(65) }],
    'InvalidInput',
    'CreatorRequestId',
  ],
  [
    'a tag with the aws: prefix',
    ['public', { Name: 'tags.example', Tags: [{ Key: 'aws:owner', Value: 'x' }] }],
    'InvalidInput',
    'aws:owner',
  ],
  ['51 tags', ['private', { Name: 'tags.internal', Vpc: 'vpc-ok', Tags: tags(51) }], 'TooManyTagsException', '50'],
];

describe('namespace Create rules', () => {
  it.each(namespaceRows)('refuses %s', async (_rule, [kind, input], code, fragment) => {
    const call =
      kind === 'http'
        ? t.client.send(new CreateHttpNamespaceCommand(input))
        : kind === 'public'
          ? t.client.send(new CreatePublicDnsNamespaceCommand(input))
          : t.client.send(new CreatePrivateDnsNamespaceCommand(input));
    const e = await errorOf(call);
    expect(e.name).toBe(code);
    expect(e.message).toContain(fragment);
  });
});
