import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/catalog/catalog.ts';
import type { InstanceRecord, NamespaceRecord, ServiceRecord } from '../../src/model/records.ts';
import { emptyTables } from '../../src/model/changes.ts';
import { allTargets, sameTarget, serviceFingerprint, targetOf } from '../../src/health/targets.ts';

const ns: NamespaceRecord = { id: 'ns-1', name: 'example.local', type: 'DNS_PRIVATE', httpName: 'example.local', createDate: 0 };
const service = (over: Partial<ServiceRecord> = {}): ServiceRecord => ({
  id: 'srv-1',
  name: 'web',
  namespaceId: 'ns-1',
  type: 'DNS_HTTP',
  createDate: 0,
  attributes: {},
  instancesRevision: 0,
  dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 60 }] },
  healthCheckConfig: { type: 'TCP', failureThreshold: 2 },
  ...over,
});
const instance = (attributes: Record<string, string>, id = 'i-1', createDate = 7): InstanceRecord => ({
  serviceId: 'srv-1',
  id,
  attributes,
  createDate,
  seq: 1,
});
const v4v6 = { AWS_INSTANCE_IPV4: '10.0.0.5', AWS_INSTANCE_IPV6: '2001:db8::5', AWS_INSTANCE_PORT: '8080' };
const records = (type: 'A' | 'AAAA' | 'SRV' | 'CNAME') => ({ routingPolicy: 'MULTIVALUE' as const, dnsRecords: [{ type, ttl: 60 }] });

describe('which instances are probed, and where', () => {
  it.each<{ why: string; s: ServiceRecord; attrs: Record<string, string>; host: string; port: number }>([
    { why: 'IPv4 for a service with A records', s: service(), attrs: v4v6, host: '10.0.0.5', port: 8080 },
    {
      why: 'IPv4 when the service has A and AAAA',
      s: service({
        dnsConfig: {
          routingPolicy: 'MULTIVALUE',
          dnsRecords: [
            { type: 'AAAA', ttl: 1 },
            { type: 'A', ttl: 1 },
          ],
        },
      }),
      attrs: v4v6,
      host: '10.0.0.5',
      port: 8080,
    },
    {
      why: 'IPv6 for a service without A records',
      s: service({ dnsConfig: records('AAAA') }),
      attrs: v4v6,
      host: '2001:db8::5',
      port: 8080,
    },
    {
      why: 'IPv4 in an HTTP-only service (no DNS records)',
      s: service({ dnsConfig: undefined }),
      attrs: v4v6,
      host: '10.0.0.5',
      port: 8080,
    },
    {
      why: 'IPv6 in an HTTP-only service when only it is given',
      s: service({ dnsConfig: undefined }),
      attrs: { AWS_INSTANCE_IPV6: '::1', AWS_INSTANCE_PORT: '1' },
      host: '::1',
      port: 1,
    },
    { why: 'IPv4 for an SRV service', s: service({ dnsConfig: records('SRV') }), attrs: v4v6, host: '10.0.0.5', port: 8080 },
    {
      why: 'port 80 for HTTP without AWS_INSTANCE_PORT',
      s: service({ healthCheckConfig: { type: 'HTTP', failureThreshold: 1 } }),
      attrs: { AWS_INSTANCE_IPV4: '10.0.0.5' },
      host: '10.0.0.5',
      port: 80,
    },
    {
      why: 'port 443 for HTTPS without AWS_INSTANCE_PORT',
      s: service({ healthCheckConfig: { type: 'HTTPS', failureThreshold: 1 } }),
      attrs: { AWS_INSTANCE_IPV4: '10.0.0.5' },
      host: '10.0.0.5',
      port: 443,
    },
  ])('probes $host:$port — $why', ({ s, attrs, host, port }) => {
    expect(targetOf(s, ns, instance(attrs))).toMatchObject({
      host,
      port,
      key: 'srv-1/i-1',
      serviceId: 'srv-1',
      instanceId: 'i-1',
      registeredAt: 7,
    });
  });

  it.each<{ why: string; s: ServiceRecord; attrs: Record<string, string> }>([
    { why: 'the service has no HealthCheckConfig', s: service({ healthCheckConfig: undefined }), attrs: v4v6 },
    {
      why: 'the service uses custom health',
      s: service({ healthCheckConfig: undefined, healthCheckCustomConfig: { failureThreshold: 1 } }),
      attrs: v4v6,
    },
    {
      why: 'the instance is an alias',
      s: service({ dnsConfig: { routingPolicy: 'WEIGHTED', dnsRecords: [{ type: 'A', ttl: 1 }] } }),
      attrs: { AWS_ALIAS_DNS_NAME: 'lb.example.com' },
    },
    { why: 'a TCP check has no port', s: service(), attrs: { AWS_INSTANCE_IPV4: '10.0.0.5' } },
    { why: 'the port is not a port', s: service(), attrs: { AWS_INSTANCE_IPV4: '10.0.0.5', AWS_INSTANCE_PORT: '70000' } },
    { why: 'an A service instance has only IPv6', s: service(), attrs: { AWS_INSTANCE_IPV6: '::1', AWS_INSTANCE_PORT: '80' } },
    { why: 'the address is not an IP address', s: service(), attrs: { AWS_INSTANCE_IPV4: 'host.example', AWS_INSTANCE_PORT: '80' } },
    { why: 'a CNAME instance has no address', s: service({ dnsConfig: records('CNAME') }), attrs: { AWS_INSTANCE_CNAME: 'x.example.com' } },
  ])('does not probe when $why', ({ s, attrs }) => {
    expect(targetOf(s, ns, instance(attrs))).toBeUndefined();
  });

  it.each([
    { path: undefined, expected: '/' },
    { path: '', expected: '/' },
    { path: '/healthz', expected: '/healthz' },
    { path: 'status?full=1', expected: '/status?full=1' },
  ])('requests $expected for ResourcePath $path, with Host <service>.<namespace>', ({ path, expected }) => {
    const s = service({ healthCheckConfig: { type: 'HTTP', failureThreshold: 3, ...(path !== undefined ? { resourcePath: path } : {}) } });
    expect(targetOf(s, { ...ns, name: 'example.local.' }, instance(v4v6))).toMatchObject({
      type: 'HTTP',
      path: expected,
      hostHeader: 'web.example.local',
      failureThreshold: 3,
    });
  });

  it('tells a re-registered instance (new registration time) from the same registration', () => {
    const a = targetOf(service(), ns, instance(v4v6, 'i-1', 7))!;
    expect(sameTarget(a, targetOf(service(), ns, instance(v4v6, 'i-1', 7))!)).toBe(true);
    expect(sameTarget(a, targetOf(service(), ns, instance(v4v6, 'i-1', 9))!)).toBe(false);
    expect(sameTarget(a, targetOf(service(), ns, instance({ ...v4v6, AWS_INSTANCE_PORT: '81' }))!)).toBe(false);
  });

  it('fingerprints a service by what its probes depend on, not by its InstancesRevision', () => {
    const s = service();
    expect(serviceFingerprint(s, ns)).toBe(serviceFingerprint({ ...s, instancesRevision: 42 }, ns));
    expect(serviceFingerprint(s, ns)).not.toBe(serviceFingerprint({ ...s, healthCheckConfig: { type: 'TCP', failureThreshold: 3 } }, ns));
    expect(serviceFingerprint({ ...s, healthCheckConfig: undefined }, ns)).toBeUndefined();
  });

  it('lists every checked instance of the catalog', () => {
    const catalog = new Catalog();
    const tables = emptyTables();
    tables.namespaces.set(ns.id, ns);
    tables.services.set('srv-1', service());
    tables.services.set('srv-2', service({ id: 'srv-2', healthCheckConfig: undefined }));
    tables.instances.set('srv-1/a', instance(v4v6, 'a', 1));
    tables.instances.set('srv-1/b', instance({ AWS_INSTANCE_IPV4: '10.0.0.6' }, 'b', 2));
    tables.instances.set('srv-2/c', { ...instance(v4v6, 'c', 3), serviceId: 'srv-2' });
    catalog.reset({ revision: 3, tables });
    expect(allTargets(catalog).map((t) => t.key)).toEqual(['srv-1/a']);
  });
});
