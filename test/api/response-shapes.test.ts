// Handlers return response shapes: every operation, called once over HTTP, answers only members its
// output shape in the model declares, with the declared types (nothing internal rides along).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceModel, type Shape } from '../../src/model/service-model.ts';
import { rawCall, startTestServer, type TestServer } from '../support/server.ts';

const T = 'Route53AutoNaming_v20170314.';
let t: TestServer;
const responses = new Map<string, Record<string, unknown>>();

/** Where `value` strays from `shapeName`: members the model does not declare, or wrong JSON types. */
function strays(value: unknown, shapeName: string, at: string): string[] {
  const shape = serviceModel.shapes[shapeName] as Shape;
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  switch (shape.type) {
    case 'structure': {
      if (!isObject) return [`${at}: not an object`];
      return Object.entries(value).flatMap(([k, v]) =>
        Object.hasOwn(shape.members, k) ? strays(v, shape.members[k]!.shape, `${at}.${k}`) : [`${at}.${k}: not in ${shapeName}`],
      );
    }
    case 'list':
      return Array.isArray(value) ? value.flatMap((v, i) => strays(v, shape.member.shape, `${at}[${i}]`)) : [`${at}: not a list`];
    case 'map':
      return isObject ? Object.entries(value).flatMap(([k, v]) => strays(v, shape.value.shape, `${at}.${k}`)) : [`${at}: not a map`];
    case 'string':
      return typeof value === 'string' && (!shape.enum || shape.enum.includes(value)) ? [] : [`${at}: not a ${shapeName}`];
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? [] : [`${at}: not an integer`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: not a boolean`];
    case 'timestamp':
      return typeof value === 'number' ? [] : [`${at}: not a timestamp`];
  }
}

async function call(operation: string, input: object): Promise<Record<string, unknown>> {
  const res = await rawCall(t.endpoint, `${T}${operation}`, JSON.stringify(input));
  expect(res.status, `${operation}: ${JSON.stringify(res.json)}`).toBe(200);
  responses.set(operation, res.json);
  return res.json;
}

const nsOf = async (operationId: string): Promise<string> =>
  ((await call('GetOperation', { OperationId: operationId })).Operation as { Targets: { NAMESPACE: string } }).Targets.NAMESPACE;

beforeAll(async () => {
  t = await startTestServer({ flags: ['--vpc', 'vpc-1=127.0.0.0/8'] });
  const http = await nsOf(
    (await call('CreateHttpNamespace', { Name: 'shapes-http', Tags: [{ Key: 'k', Value: 'v' }] })).OperationId as string,
  );
  const pub = await nsOf((await call('CreatePublicDnsNamespace', { Name: 'shapes.example' })).OperationId as string);
  const priv = await nsOf((await call('CreatePrivateDnsNamespace', { Name: 'shapes.internal', Vpc: 'vpc-1' })).OperationId as string);
  await call('GetNamespace', { Id: pub });
  await call('ListNamespaces', {});
  await call('UpdateHttpNamespace', { Id: http, Namespace: { Description: 'd' } });
  await call('UpdatePublicDnsNamespace', { Id: pub, Namespace: { Properties: { DnsProperties: { SOA: { TTL: 60 } } } } });
  await call('UpdatePrivateDnsNamespace', { Id: priv, Namespace: { Description: 'd' } });
  const service = (
    await call('CreateService', {
      Name: 'web',
      NamespaceId: pub,
      DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 5 }] },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
    })
  ).Service as { Id: string; Arn: string };
  await call('GetService', { Id: service.Id });
  await call('ListServices', {});
  await call('UpdateService', { Id: service.Id, Service: { Description: 'd', DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } } });
  await call('UpdateServiceAttributes', { ServiceId: service.Id, Attributes: { a: '1', b: '2' } });
  await call('GetServiceAttributes', { ServiceId: service.Id });
  await call('DeleteServiceAttributes', { ServiceId: service.Id, Attributes: ['b'] });
  await call('TagResource', { ResourceARN: service.Arn, Tags: [{ Key: 't', Value: 'v' }] });
  await call('ListTagsForResource', { ResourceARN: service.Arn });
  await call('UntagResource', { ResourceARN: service.Arn, TagKeys: ['t'] });
  await call('RegisterInstance', {
    ServiceId: service.Id,
    InstanceId: 'i-1',
    Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', color: 'blue' },
  });
  await call('GetInstance', { ServiceId: service.Id, InstanceId: 'i-1' });
  await call('ListInstances', { ServiceId: service.Id });
  await call('DiscoverInstances', { NamespaceName: 'shapes.example', ServiceName: 'web' });
  await call('DiscoverInstancesRevision', { NamespaceName: 'shapes.example', ServiceName: 'web' });
  await call('UpdateInstanceCustomHealthStatus', { ServiceId: service.Id, InstanceId: 'i-1', Status: 'UNHEALTHY' });
  await call('GetInstancesHealthStatus', { ServiceId: service.Id });
  await call('ListOperations', {});
  await call('DeregisterInstance', { ServiceId: service.Id, InstanceId: 'i-1' });
  await call('DeleteService', { Id: service.Id });
  await call('DeleteNamespace', { Id: http });
});
afterAll(async () => {
  await t.stop();
});

describe('response shapes', () => {
  it('notices a stray member or a wrong type (the check itself)', () => {
    expect(strays({ Namespaces: [{ Id: 'ns-1', CreateDate: '2020' }], catalog: {} }, 'ListNamespacesResponse', 'x')).toEqual([
      'x.Namespaces[0].CreateDate: not a timestamp',
      'x.catalog: not in ListNamespacesResponse',
    ]);
  });

  it('called every operation of the model', () => {
    expect([...responses.keys()].sort()).toEqual(Object.keys(serviceModel.operations).sort());
  });

  it.each(Object.keys(serviceModel.operations).sort())('%s answers only what its output shape declares', (operation) => {
    const output = serviceModel.operations[operation]!.output;
    const body = responses.get(operation);
    expect(body).toBeDefined();
    expect(output ? strays(body, output.shape, operation) : Object.keys(body!)).toEqual([]);
  });
});
