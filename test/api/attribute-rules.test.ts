// RegisterInstance's reserved-attribute rules (docs/cloud-map-api.md#reserved-attributes), one row per case, through the SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterInstanceCommand } from '@aws-sdk/client-servicediscovery';
import type { NamespaceType, ServiceRecord } from '../../src/model/records.ts';
import { seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

type Config = { ns: NamespaceType; nsName?: string; service: Partial<ServiceRecord> & { name?: string } };
const a = (type: 'A' | 'AAAA' | 'SRV' | 'CNAME', ttl = 60) => ({ type, ttl });

const configs = {
  http: { ns: 'HTTP', service: {} },
  httpCustom: { ns: 'HTTP', service: { healthCheckCustomConfig: { failureThreshold: 1 } } },
  httpChecked: { ns: 'HTTP', service: { healthCheckConfig: { type: 'TCP', failureThreshold: 3 } } },
  dnsA: { ns: 'DNS_PUBLIC', service: { dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [a('A')] } } },
  dnsAAAA: { ns: 'DNS_PUBLIC', service: { dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [a('AAAA')] } } },
  dnsAandAAAA: { ns: 'DNS_PUBLIC', service: { dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [a('A'), a('AAAA')] } } },
  dnsSrv: { ns: 'DNS_PRIVATE', service: { name: 'api', dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [a('SRV')] } } },
  dnsSrvLong: {
    ns: 'DNS_PRIVATE',
    nsName: `${'n'.repeat(63)}.${'m'.repeat(40)}.example`,
    service: { name: `${'s'.repeat(63)}.${'t'.repeat(63)}`, dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [a('SRV')] } },
  },
  dnsCname: { ns: 'DNS_PUBLIC', service: { dnsConfig: { routingPolicy: 'WEIGHTED', dnsRecords: [a('CNAME')] } } },
  dnsWeightedA: { ns: 'DNS_PUBLIC', service: { dnsConfig: { routingPolicy: 'WEIGHTED', dnsRecords: [a('A')] } } },
  dnsWeightedAChecked: {
    ns: 'DNS_PUBLIC',
    service: {
      dnsConfig: { routingPolicy: 'WEIGHTED', dnsRecords: [a('A')] },
      healthCheckConfig: { type: 'HTTP', resourcePath: '/', failureThreshold: 3 },
    },
  },
  dnsAChecked: {
    ns: 'DNS_PUBLIC',
    service: {
      dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [a('A')] },
      healthCheckConfig: { type: 'HTTP', resourcePath: '/', failureThreshold: 3 },
    },
  },
} satisfies Record<string, Config>;
type ConfigName = keyof typeof configs;

const many = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
const ip4 = { AWS_INSTANCE_IPV4: '192.168.10.2' };

// [service config, attributes, expected: 'ok' | message fragment of the InvalidInput, instance id?]
const cases: [ConfigName, Record<string, string>, string, string?][] = [
  ['http', {}, 'ok'],
  ['http', { stage: 'beta', AVAILABILITY_ZONE: 'a', AWS_OTHER: 'x' }, 'ok'],
  ['http', many(30), 'ok'],
  ['http', many(31), 'at most 30 custom attributes'],
  ['http', { ...many(30), AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80' }, 'ok'],
  ['http', { big1: 'v'.repeat(1024), big2: 'v'.repeat(1024), big3: 'v'.repeat(1024), big4: 'v'.repeat(1024), big5: 'v'.repeat(884) }, 'ok'], // exactly 5000
  [
    'http',
    { big1: 'v'.repeat(1024), big2: 'v'.repeat(1024), big3: 'v'.repeat(1024), big4: 'v'.repeat(1024), big5: 'v'.repeat(885) },
    'at most 5000 characters',
  ],
  ['http', { AWS_INSTANCE_IPV4: '10.0.0.256' }, 'AWS_INSTANCE_IPV4 must be an IPv4 address'],
  ['http', { AWS_INSTANCE_PORT: '0' }, 'from 1 to 65535'],
  ['http', { AWS_INSTANCE_PORT: '65536' }, 'from 1 to 65535'],
  ['http', { AWS_INSTANCE_PORT: 'http' }, 'from 1 to 65535'],
  ['http', { AWS_INSTANCE_PORT: '65535' }, 'ok'],
  ['http', { AWS_INIT_HEALTH_STATUS: 'SICK' }, 'HEALTHY or UNHEALTHY'],
  ['http', { AWS_EC2_INSTANCE_ID: 'i-0abcdef1234567890' }, 'ok'],
  ['http', { AWS_EC2_INSTANCE_ID: 'i-0abcdef1234567890', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY', team: 'x' }, 'ok'],
  [
    'http',
    { AWS_EC2_INSTANCE_ID: 'i-0abcdef1234567890', AWS_INSTANCE_IPV4: '10.0.0.1' },
    'only other reserved attribute allowed is AWS_INIT_HEALTH_STATUS',
  ],
  ['dnsA', { ...ip4, AWS_EC2_INSTANCE_ID: 'i-0abcdef1234567890' }, 'only for instances in HTTP namespaces'],
  ['httpCustom', { AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' }, 'ok'],
  ['http', { AWS_ALIAS_DNS_NAME: 'lb.example.net' }, 'WEIGHTED routing policy'],
  ['httpChecked', { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '8080' }, 'ok'],
  ['httpChecked', { AWS_INSTANCE_IPV4: '10.0.0.1' }, 'AWS_INSTANCE_PORT is required: the service has a HealthCheckConfig'],
  ['httpChecked', { AWS_INSTANCE_PORT: '8080' }, 'needs an address to probe'],
  ['dnsA', ip4, 'ok'],
  ['dnsA', {}, 'AWS_INSTANCE_IPV4 is required'],
  ['dnsA', { AWS_INSTANCE_IPV4: '192.168.010.2' }, 'dotted-quad'],
  ['dnsA', { AWS_INSTANCE_IPV4: '::1' }, 'dotted-quad'],
  ['dnsA', { AWS_INSTANCE_IPV4: '10.1' }, 'dotted-quad'],
  ['dnsA', { AWS_INSTANCE_IPV6: '2001:db8::1' }, 'AWS_INSTANCE_IPV4 is required'],
  ['dnsAAAA', { AWS_INSTANCE_IPV6: '2001:db8::1' }, 'ok'],
  ['dnsAAAA', { AWS_INSTANCE_IPV6: '::ffff:192.0.2.1' }, 'ok'],
  ['dnsAAAA', { AWS_INSTANCE_IPV6: '2001:db8::g' }, 'AWS_INSTANCE_IPV6 must be an IPv6 address'],
  ['dnsAAAA', { AWS_INSTANCE_IPV6: 'fe80::1%eth0' }, 'AWS_INSTANCE_IPV6 must be an IPv6 address'],
  ['dnsAAAA', ip4, 'AWS_INSTANCE_IPV6 is required'],
  ['dnsAandAAAA', { ...ip4, AWS_INSTANCE_IPV6: '2001:db8::1' }, 'ok'],
  ['dnsAandAAAA', ip4, 'AWS_INSTANCE_IPV6 is required'],
  ['dnsSrv', { ...ip4, AWS_INSTANCE_PORT: '8080' }, 'ok'],
  ['dnsSrv', { AWS_INSTANCE_IPV6: '2001:db8::1', AWS_INSTANCE_PORT: '8080' }, 'ok'],
  ['dnsSrv', ip4, 'AWS_INSTANCE_PORT is required: the service has an SRV record'],
  ['dnsSrv', { AWS_INSTANCE_PORT: '8080' }, 'AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6 is required'],
  ['dnsSrv', { ...ip4, AWS_INSTANCE_PORT: '8080' }, 'ok', 'a.b@c'],
  ['dnsSrv', { ...ip4, AWS_INSTANCE_PORT: '8080' }, 'empty label', 'a..b'],
  ['dnsSrv', { ...ip4, AWS_INSTANCE_PORT: '8080' }, 'empty label', 'trailing.'],
  ['dnsSrv', { ...ip4, AWS_INSTANCE_PORT: '8080' }, 'ok', 'i'.repeat(63)],
  ['dnsSrv', { ...ip4, AWS_INSTANCE_PORT: '8080' }, 'longer than 63 octets', 'i'.repeat(64)],
  // 65 + 64 + 64 + 64 + 41 + 8 + 1 = 307 octets on the wire; 'short' makes 248.
  ['dnsSrvLong', { ...ip4, AWS_INSTANCE_PORT: '8080' }, 'longer than 255 octets', `${'i'.repeat(60)}.${'j'.repeat(3)}`],
  ['dnsSrvLong', { ...ip4, AWS_INSTANCE_PORT: '8080' }, 'ok', 'short'],
  ['dnsCname', { AWS_INSTANCE_CNAME: 'a.example.net' }, 'ok'],
  ['dnsCname', {}, 'AWS_INSTANCE_CNAME is required'],
  ['dnsCname', { AWS_INSTANCE_CNAME: 'not a name' }, 'must be a domain name'],
  ['dnsCname', { AWS_INSTANCE_CNAME: 'a.example.net', ...ip4 }, 'AWS_INSTANCE_IPV4 is not allowed'],
  ['dnsCname', { AWS_INSTANCE_CNAME: 'a.example.net', AWS_INSTANCE_PORT: '80' }, 'AWS_INSTANCE_PORT is not allowed'],
  ['dnsWeightedA', { AWS_ALIAS_DNS_NAME: 'lb-1.elb.example.net' }, 'ok'],
  ['dnsWeightedA', { AWS_ALIAS_DNS_NAME: 'lb-1.elb.example.net', ...ip4 }, 'no AWS_INSTANCE_* attribute is allowed'],
  ['dnsWeightedA', ip4, 'ok'],
  ['dnsWeightedAChecked', { AWS_ALIAS_DNS_NAME: 'lb-1.elb.example.net' }, 'ok'],
  ['dnsA', { AWS_ALIAS_DNS_NAME: 'lb-1.elb.example.net' }, 'WEIGHTED routing policy'],
  ['dnsCname', { AWS_ALIAS_DNS_NAME: 'lb-1.elb.example.net' }, 'WEIGHTED routing policy'],
  ['dnsAChecked', { ...ip4, AWS_INSTANCE_PORT: '80' }, 'ok'],
  ['dnsAChecked', ip4, 'AWS_INSTANCE_PORT is required: the service has a HealthCheckConfig'],
];

describe('RegisterInstance reserved-attribute rules', () => {
  let t: TestServer;
  const services = new Map<ConfigName, string>();
  beforeAll(async () => {
    t = await startTestServer();
    for (const [name, c] of Object.entries(configs) as [ConfigName, Config][]) {
      const ns = await seedNamespace(t.server, { name: c.nsName ?? `${name.toLowerCase()}.example`, type: c.ns });
      const s = await seedService(t.server, { name: 'svc', namespaceId: ns.id, ...c.service });
      services.set(name, s.id);
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  it.each(cases.map(([config, attributes, expected, id], n) => ({ n, config, attributes, expected, id: id ?? `i-${n}` })))(
    '#$n $config: $expected',
    async ({ config, attributes, expected, id }) => {
      const send = t.client.send(new RegisterInstanceCommand({ ServiceId: services.get(config)!, InstanceId: id, Attributes: attributes }));
      if (expected === 'ok') {
        const { OperationId } = await send;
        expect(OperationId).toMatch(/^[a-z0-9]{32}-[a-z0-9]{8}$/);
        expect(t.server.catalog.instance(services.get(config)!, id)?.attributes).toEqual(attributes);
      } else {
        await expect(send).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(expected) });
        expect(t.server.catalog.instance(services.get(config)!, id)).toBeUndefined();
      }
    },
  );
});
