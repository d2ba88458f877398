// A change accepted by the API is answered by the same process's DNS as soon as the call returns
// (spec §13): the §14 scenario driven through the AWS SDK, then updates, deregistration and deletes.
import {
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  DeleteNamespaceCommand,
  DeleteServiceCommand,
  DeregisterInstanceCommand,
  GetOperationCommand,
  RegisterInstanceCommand,
  UpdatePublicDnsNamespaceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-servicediscovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { lines, udp } from './dns-client.ts';

let t: TestServer;
let port: number;
let nsId: string;
let serviceId: string;

beforeAll(async () => {
  t = await startTestServer({ store: 'redis' });
  port = t.server.dnsAddress.port;
});
afterAll(async () => {
  await t?.stop();
});

const soa = (ttl: number) => `kouzie.com. ${ttl} SOA ns1.kouzie.com. hostmaster.kouzie.com. 1 7200 900 1209600 ${ttl}`;

describe('DNS follows the API', () => {
  it('answers a namespace as soon as CreatePublicDnsNamespace returns', async () => {
    const { OperationId } = await t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'kouzie.com' }));
    nsId = (await t.client.send(new GetOperationCommand({ OperationId }))).Operation!.Targets!.NAMESPACE!;
    const r = await udp(port, { name: 'kouzie.com', type: 'SOA' });
    expect(lines(r.packet.answers)).toEqual([soa(15)]);
  });

  it('has no name for a service until an instance registers, then answers it at once', async () => {
    const created = await t.client.send(
      new CreateServiceCommand({ Name: 'backend', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 60 }] } }),
    );
    serviceId = created.Service!.Id!;
    expect((await udp(port, { name: 'backend.kouzie.com' })).packet.rcode).toBe('NXDOMAIN');
    await t.client.send(
      new RegisterInstanceCommand({
        ServiceId: serviceId,
        InstanceId: 'backend-1',
        Attributes: { AWS_INSTANCE_IPV4: '192.168.10.2', stage: 'beta', version: '1.0', ready: 'yes' },
      }),
    );
    const r = await udp(port, { name: 'backend.kouzie.com' });
    expect(r.packet).toMatchObject({ rcode: 'NOERROR', flag_aa: true });
    expect(lines(r.packet.answers)).toEqual(['backend.kouzie.com. 60 A 192.168.10.2']);
  });

  it('answers a re-registration with the new address, and a second instance too', async () => {
    await t.client.send(
      new RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: 'backend-1', Attributes: { AWS_INSTANCE_IPV4: '192.168.10.9' } }),
    );
    await t.client.send(
      new RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: 'backend-2', Attributes: { AWS_INSTANCE_IPV4: '192.168.10.3' } }),
    );
    const r = await udp(port, { name: 'backend.kouzie.com' });
    expect(lines(r.packet.answers).sort()).toEqual(['backend.kouzie.com. 60 A 192.168.10.3', 'backend.kouzie.com. 60 A 192.168.10.9']);
  });

  it('applies a TTL change from UpdateService to the next answer', async () => {
    await t.client.send(new UpdateServiceCommand({ Id: serviceId, Service: { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 5 }] } } }));
    const r = await udp(port, { name: 'backend.kouzie.com' });
    expect((r.packet.answers ?? []).map((a) => (a as { ttl: number }).ttl)).toEqual([5, 5]);
  });

  it('applies a SOA TTL change to the SOA and to negative answers', async () => {
    await t.client.send(
      new UpdatePublicDnsNamespaceCommand({ Id: nsId, Namespace: { Properties: { DnsProperties: { SOA: { TTL: 33 } } } } }),
    );
    expect(lines((await udp(port, { name: 'nothere.kouzie.com' })).packet.authorities)).toEqual([soa(33)]);
  });

  it('stops answering a name when its last instance deregisters', async () => {
    await t.client.send(new DeregisterInstanceCommand({ ServiceId: serviceId, InstanceId: 'backend-1' }));
    expect(lines((await udp(port, { name: 'backend.kouzie.com' })).packet.answers)).toEqual(['backend.kouzie.com. 5 A 192.168.10.3']);
    await t.client.send(new DeregisterInstanceCommand({ ServiceId: serviceId, InstanceId: 'backend-2' }));
    expect((await udp(port, { name: 'backend.kouzie.com' })).packet.rcode).toBe('NXDOMAIN');
  });

  it('drops the zone when the namespace is deleted', async () => {
    await t.client.send(new DeleteServiceCommand({ Id: serviceId }));
    await t.client.send(new DeleteNamespaceCommand({ Id: nsId }));
    const r = await udp(port, { name: 'kouzie.com', type: 'SOA' });
    expect(r.packet.rcode).toBe('REFUSED');
  });
});
