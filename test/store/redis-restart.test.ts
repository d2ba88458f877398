// Redis is the source of truth: a new cairn process on the same prefix finds everything the last one
// wrote. And when Redis itself goes away, writes fail fast with ServiceUnavailable while reads go on from
// the catalog, until Redis is back.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateHttpNamespaceCommand, GetNamespaceCommand, ServiceDiscoveryServiceException } from '@aws-sdk/client-servicediscovery';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { freePort } from '../../bench/lib/ports.ts';
import { startRedis } from '../support/redis-deployments.ts';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';
import { newPrefix, rawCall, startTestServer, type TestServer } from '../support/server.ts';
import { eventually } from '../support/eventually.ts';

/** Every table of a catalog, through its read API, in a comparable form. */
function dump(catalog: Catalog): Record<string, unknown> {
  const namespaces = [...catalog.namespaces()].sort((x, y) => x.id.localeCompare(y.id));
  const services = namespaces.flatMap((ns) => catalog.servicesOf(ns.id)).sort((x, y) => x.id.localeCompare(y.id));
  return {
    revision: catalog.revision,
    namespaces,
    services,
    instances: services.map((s) => [...catalog.instancesOf(s.id).values()]),
    health: services.map((s) => [...catalog.instancesOf(s.id).keys()].map((i) => catalog.health(s.id, i) ?? null)),
    operations: [...catalog.operations()].sort((x, y) => x.id.localeCompare(y.id)),
    tags: [...namespaces, ...services].map((r) => [r.id, catalog.tags(r.id)]),
  };
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('a restarted replica', () => {
  it('finds everything the previous process wrote under the same prefix', async () => {
    const prefix = newPrefix();
    const first = await startTestServer({ store: 'redis', prefix });
    servers.push(first);
    await first.client.send(
      new CreateHttpNamespaceCommand({ Name: 'kept', CreatorRequestId: 'kept-1', Description: 'caf\u00e9 \u{1F680}' }),
    );
    const httpNs = first.server.catalog.namespaceByHttp('kept')!;
    const dnsNs = await seedNamespace(first.server, { name: 'kept.internal', type: 'DNS_PRIVATE', vpc: 'vpc-1' });
    const service = await seedService(first.server, {
      name: 'api',
      namespaceId: dnsNs.id,
      dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 60 }] },
      attributes: { team: 'core' },
    });
    await seedInstance(first.server, service.id, 'i-1', { AWS_INSTANCE_IPV4: '10.0.0.1', zone: '\u00fc' }, 'HEALTHY');
    await seedInstance(first.server, service.id, 'i-2', { AWS_INSTANCE_IPV4: '10.0.0.2' }, 'UNHEALTHY');
    await seedInstance(first.server, service.id, 'i-3', { AWS_INSTANCE_IPV4: '10.0.0.3' });
    await first.server.ctx.writer.write(() => ({
      mutations: [
        { table: 'tags', key: httpNs.id, value: [{ Key: 'env', Value: 'prod' }] },
        { table: 'tags', key: service.id, value: [] },
      ],
      result: null,
    }));
    const before = dump(first.server.catalog);
    expect((before.operations as unknown[]).length).toBeGreaterThan(0);
    await first.stop();
    servers.splice(0);

    const second = await startTestServer({ store: 'redis', prefix });
    servers.push(second);
    expect(dump(second.server.catalog)).toStrictEqual(before);
    const { Namespace } = await second.client.send(new GetNamespaceCommand({ Id: httpNs.id }));
    expect(Namespace).toMatchObject({ Id: httpNs.id, Name: 'kept', Description: 'caf\u00e9 \u{1F680}' });
  });
});

describe('a replica while its Redis is away', () => {
  let dir: string;
  let port: number;
  let redis: ChildProcess | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-redis-restart-'));
    port = await freePort();
    redis = await startRedis(port, dir);
  });
  afterAll(async () => {
    if (redis && redis.exitCode === null) {
      const exited = new Promise((r) => redis!.once('exit', r));
      redis.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers writes with 503 ServiceUnavailable within 2 s, keeps answering reads, and writes again once Redis is back', async () => {
    const t = await startTestServer({ flags: ['--redis-url', `redis://127.0.0.1:${port}`, '--redis-prefix', newPrefix()] });
    servers.push(t);
    expect(t.server.store.kind).toBe('redis');
    await t.client.send(new CreateHttpNamespaceCommand({ Name: 'before', CreatorRequestId: 'before-1' }));
    const id = t.server.catalog.namespaceByHttp('before')!.id;

    const exited = new Promise((r) => redis!.once('exit', r));
    redis!.kill('SIGKILL');
    await exited;

    const started = Date.now();
    const error = await t.client.send(new CreateHttpNamespaceCommand({ Name: 'during', CreatorRequestId: 'during-1' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(ServiceDiscoveryServiceException);
    expect((error as ServiceDiscoveryServiceException).name).toBe('ServiceUnavailable');
    expect((error as ServiceDiscoveryServiceException).$metadata.httpStatusCode).toBe(503);
    const raw = await rawCall(
      t.endpoint,
      'Route53AutoNaming_v20170314.CreateHttpNamespace',
      JSON.stringify({ Name: 'during-raw', CreatorRequestId: 'during-2' }),
    );
    expect(raw.status).toBe(503);
    expect(raw.json.__type).toBe('ServiceUnavailable');

    const { Namespace } = await t.client.send(new GetNamespaceCommand({ Id: id }));
    expect(Namespace).toMatchObject({ Id: id, Name: 'before' });

    // Back on the same port, but empty (no persistence): the replica reloads and writes work again.
    redis = await startRedis(port, dir);
    await eventually(
      async () => {
        await t.client.send(new CreateHttpNamespaceCommand({ Name: 'after', CreatorRequestId: 'after-1' }));
      },
      8000,
      50,
    );
    await eventually(() => expect(t.server.catalog.namespace(id)).toBeUndefined(), 8000, 50);
    expect(t.server.catalog.namespaceByHttp('after')).toBeDefined();
    expect((await t.server.store.snapshot()).tables.namespaces.size).toBe(1);
  });
});
