// Registers the example registry the README's Console section shows, through the Cloud Map API (AWS SDK),
// against a running cairn: `npx node scripts/seed-example.ts [http://127.0.0.1:8080]`.
import {
  CreateHttpNamespaceCommand,
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  RegisterInstanceCommand,
  ServiceDiscoveryClient,
  UpdateInstanceCustomHealthStatusCommand,
} from '@aws-sdk/client-servicediscovery';
import { fileURLToPath } from 'node:url';

export async function seedExample(client: ServiceDiscoveryClient): Promise<void> {
  const namespaceId = async (operationId: string | undefined): Promise<string> => {
    const op = await client.send(new GetOperationCommand({ OperationId: operationId }));
    return op.Operation!.Targets!.NAMESPACE!;
  };
  const dns = await namespaceId(
    (await client.send(new CreatePublicDnsNamespaceCommand({ Name: 'kouzie.com', Description: 'public names' }))).OperationId,
  );
  const http = await namespaceId(
    (await client.send(new CreateHttpNamespaceCommand({ Name: 'shop', Description: 'HTTP discovery only' }))).OperationId,
  );

  const backend = await client.send(
    new CreateServiceCommand({
      Name: 'backend',
      NamespaceId: dns,
      DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
    }),
  );
  const api = await client.send(
    new CreateServiceCommand({
      Name: 'api',
      NamespaceId: dns,
      DnsConfig: {
        RoutingPolicy: 'MULTIVALUE',
        DnsRecords: [
          { Type: 'SRV', TTL: 30 },
          { Type: 'A', TTL: 30 },
        ],
      },
    }),
  );
  const cart = await client.send(new CreateServiceCommand({ Name: 'cart', NamespaceId: http, Description: 'shopping cart' }));

  const register = (ServiceId: string | undefined, InstanceId: string, Attributes: Record<string, string>) =>
    client.send(new RegisterInstanceCommand({ ServiceId, InstanceId, Attributes }));
  const backendId = backend.Service!.Id!;
  await register(backendId, 'backend-1', { AWS_INSTANCE_IPV4: '192.168.10.2', stage: 'beta', version: '1.0', ready: 'yes' });
  await register(backendId, 'backend-2', { AWS_INSTANCE_IPV4: '192.168.10.3', stage: 'prod', version: '1.1', ready: 'yes' });
  await register(backendId, 'backend-3', { AWS_INSTANCE_IPV4: '192.168.10.4', stage: 'prod', version: '1.1', ready: 'no' });
  await client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: backendId, InstanceId: 'backend-3', Status: 'UNHEALTHY' }));
  await register(api.Service!.Id, 'api-1', { AWS_INSTANCE_IPV4: '192.168.20.7', AWS_INSTANCE_PORT: '8443', zone: 'a' });
  await register(cart.Service!.Id, 'cart-1', { url: 'http://10.0.3.11:9000', zone: 'b' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const client = new ServiceDiscoveryClient({
    endpoint: process.argv[2] ?? 'http://127.0.0.1:8080',
    region: 'us-east-1',
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'x', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'y' },
    disableHostPrefix: true,
  });
  await seedExample(client);
  client.destroy();
  process.stdout.write('registered kouzie.com (backend, api) and shop (cart)\n');
}
