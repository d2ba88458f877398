// docs/dns.md#scenario-health: custom health status set through the SDK changes the DNS answers of the
// replica that took the call before the call returns, and another replica's soon after.
import {
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  DiscoverInstancesCommand,
  GetOperationCommand,
  RegisterInstanceCommand,
  UpdateInstanceCustomHealthStatusCommand,
} from '@aws-sdk/client-servicediscovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPrefix, startTestServer, type TestServer } from '../support/server.ts';
import { udp } from '../dns/dns-client.ts';
import { eventually } from '../support/eventually.ts';

let a: TestServer;
let b: TestServer;
let serviceId: string;

const addresses = async (t: TestServer): Promise<string[]> => {
  const r = await udp(t.server.dnsAddress.port, { name: 'web.kouzie.com', type: 'A' });
  return (r.packet.answers ?? []).map((x) => String((x as { data: unknown }).data)).sort();
};
const discovered = async (HealthStatus?: 'HEALTHY_OR_ELSE_ALL') => {
  const out = await a.client.send(
    new DiscoverInstancesCommand({ NamespaceName: 'kouzie.com', ServiceName: 'web', ...(HealthStatus ? { HealthStatus } : {}) }),
  );
  return (out.Instances ?? []).map((i) => `${i.InstanceId} ${i.HealthStatus}`).sort();
};
const setStatus = (InstanceId: string, Status: 'HEALTHY' | 'UNHEALTHY') =>
  a.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: serviceId, InstanceId, Status }));

beforeAll(async () => {
  const prefix = newPrefix();
  a = await startTestServer({ store: 'redis', prefix });
  b = await startTestServer({ store: 'redis', prefix });
  const { OperationId } = await a.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'kouzie.com' }));
  const nsId = (await a.client.send(new GetOperationCommand({ OperationId }))).Operation!.Targets!.NAMESPACE!;
  const { Service } = await a.client.send(
    new CreateServiceCommand({
      Name: 'web',
      NamespaceId: nsId,
      DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] },
      HealthCheckCustomConfig: {},
    }),
  );
  serviceId = Service!.Id!;
  await a.client.send(
    new RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: 'w1', Attributes: { AWS_INSTANCE_IPV4: '10.1.0.1' } }),
  );
  await a.client.send(
    new RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: 'w2', Attributes: { AWS_INSTANCE_IPV4: '10.1.0.2' } }),
  );
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

describe('custom health through the API', () => {
  it('answers both instances while both are healthy', async () => {
    expect(await addresses(a)).toEqual(['10.1.0.1', '10.1.0.2']);
    expect(await discovered()).toEqual(['w1 HEALTHY', 'w2 HEALTHY']);
  });

  it("takes an instance marked UNHEALTHY out of this replica's DNS before the call returns", async () => {
    await setStatus('w1', 'UNHEALTHY');
    expect(await addresses(a)).toEqual(['10.1.0.2']);
    expect(await discovered()).toEqual(['w2 HEALTHY']);
  });

  it("takes it out of the other replica's DNS through the change feed", async () => {
    await eventually(async () => {
      expect(await addresses(b)).toEqual(['10.1.0.2']);
    }, 1000);
  });

  it('fails open in DNS when every instance is unhealthy, while discovery returns none by default', async () => {
    await setStatus('w2', 'UNHEALTHY');
    expect(await addresses(a)).toEqual(['10.1.0.1', '10.1.0.2']);
    expect(await discovered()).toEqual([]);
    expect(await discovered('HEALTHY_OR_ELSE_ALL')).toEqual(['w1 UNHEALTHY', 'w2 UNHEALTHY']);
  });

  it('puts an instance marked HEALTHY again back at once', async () => {
    await setStatus('w1', 'HEALTHY');
    expect(await addresses(a)).toEqual(['10.1.0.1']);
    await eventually(async () => {
      expect(await addresses(b)).toEqual(['10.1.0.1']);
    }, 1000);
  });
});
