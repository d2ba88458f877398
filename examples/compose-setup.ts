// The compose example's one-shot setup: creates the public DNS namespace and the services the example's
// containers register into (the agent creates no services), through the Cloud Map API; what exists is kept.
import {
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';

const endpoint = process.env.CAIRN_ENDPOINT ?? 'http://127.0.0.1:8080';
const namespace = process.env.EXAMPLE_NAMESPACE ?? 'kouzie.com';
const services = (process.env.EXAMPLE_SERVICES ?? 'web').split(',').filter((s) => s !== '');

const client = new ServiceDiscoveryClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'example', secretAccessKey: 'example' },
  disableHostPrefix: true,
});

async function namespaceId(): Promise<string | undefined> {
  const { Namespaces } = await client.send(new ListNamespacesCommand({}));
  return Namespaces?.find((n) => n.Name === namespace)?.Id;
}

async function main(): Promise<void> {
  let id = await namespaceId();
  if (id === undefined) {
    const { OperationId } = await client.send(
      new CreatePublicDnsNamespaceCommand({ Name: namespace, CreatorRequestId: `example-${namespace}` }),
    );
    const { Operation } = await client.send(new GetOperationCommand({ OperationId }));
    id = Operation?.Targets?.NAMESPACE;
    console.log(`created namespace ${namespace}`);
  }
  const { Services } = await client.send(new ListServicesCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: [id!], Condition: 'EQ' }] }));
  for (const name of services) {
    if (Services?.some((s) => s.Name === name)) continue;
    // A and SRV records; custom health, so that the agent turns the container's HEALTHCHECK into the instance's health.
    await client.send(
      new CreateServiceCommand({
        Name: name,
        NamespaceId: id,
        CreatorRequestId: `example-${namespace}-${name}`,
        DnsConfig: {
          RoutingPolicy: 'MULTIVALUE',
          DnsRecords: [
            { Type: 'A', TTL: 5 },
            { Type: 'SRV', TTL: 5 },
          ],
        },
        HealthCheckCustomConfig: {},
      }),
    );
    console.log(`created service ${name}.${namespace}`);
  }
  console.log(`${namespace} is ready: ${services.join(', ')}`);
}

main().then(
  () => client.destroy(),
  (e: unknown) => {
    console.error(`setup failed: ${(e as Error).message}`);
    process.exit(1);
  },
);
