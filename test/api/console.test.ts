// The console's server side: its files under /ui (CSP, cache headers, a page saying how to build them when
// they are missing), GET /v1/console/about, and per instance the last flip, the probing replica and the
// bounded flip history (GET /v1/console/services/{id}/instances, signed when --credentials is set).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CreateHttpNamespaceCommand,
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  DeregisterInstanceCommand,
  GetOperationCommand,
  RegisterInstanceCommand,
  UpdateInstanceCustomHealthStatusCommand,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { buildApi } from '../../src/api/index.ts';
import { HealthHistory } from '../../src/registry/index.ts';
import { buildUi } from '../../scripts/build-ui.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { tcpListener, type TcpListener } from '../health/listeners.ts';
import { eventually } from '../support/eventually.ts';

async function namespace(client: ServiceDiscoveryClient, name: string, dns = false): Promise<string> {
  const created = dns
    ? await client.send(new CreatePublicDnsNamespaceCommand({ Name: name }))
    : await client.send(new CreateHttpNamespaceCommand({ Name: name }));
  return (await client.send(new GetOperationCommand({ OperationId: created.OperationId }))).Operation!.Targets!.NAMESPACE!;
}

interface Row {
  instanceId: string;
  health: string;
  since: number | null;
  check: string;
  probedBy: string | null;
  timeline: { status: string; at: number }[];
}
const rows = async (endpoint: string, serviceId: string): Promise<Row[]> => {
  const res = await fetch(`${endpoint}/v1/console/services/${serviceId}/instances`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { instances: Row[] }).instances;
};

describe('the console API', () => {
  let t: TestServer;
  let listener: TcpListener;
  beforeAll(async () => {
    t = await startTestServer({ flags: ['--console-health-history', '3', '--health-check-interval', '1h'] });
    listener = await tcpListener();
  });
  afterAll(async () => {
    await listener.close();
    await t.stop();
  });

  it('says the registry is open, which replica answers and its version', async () => {
    const res = await fetch(`${t.endpoint}/v1/console/about`);
    expect(await res.json()).toEqual({ auth: false, replica: t.server.replicaId, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it("keeps an instance's flips, the newest --console-health-history of them, and forgets them when it leaves", async () => {
    const NamespaceId = await namespace(t.client, 'console-history');
    const ServiceId = (
      await t.client.send(new CreateServiceCommand({ Name: 'web', NamespaceId, HealthCheckCustomConfig: { FailureThreshold: 1 } }))
    ).Service!.Id!;
    await t.client.send(new RegisterInstanceCommand({ ServiceId, InstanceId: 'i-1', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } }));
    const [fresh] = await rows(t.endpoint, ServiceId);
    expect(fresh).toEqual({
      instanceId: 'i-1',
      health: 'HEALTHY',
      since: expect.any(Number),
      check: 'custom',
      probedBy: null,
      timeline: [{ status: 'HEALTHY', at: fresh!.since }],
    });
    for (const Status of ['UNHEALTHY', 'HEALTHY', 'UNHEALTHY'] as const) {
      await t.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId, InstanceId: 'i-1', Status }));
    }
    const [flipped] = await rows(t.endpoint, ServiceId);
    expect(flipped!.health).toBe('UNHEALTHY');
    expect(flipped!.timeline.map((p) => p.status)).toEqual(['HEALTHY', 'UNHEALTHY', 'HEALTHY', 'UNHEALTHY'].slice(-3));
    expect(flipped!.timeline.at(-1)!.at).toBe(flipped!.since);

    await t.client.send(new DeregisterInstanceCommand({ ServiceId, InstanceId: 'i-1' }));
    await t.client.send(new RegisterInstanceCommand({ ServiceId, InstanceId: 'i-1', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } }));
    const [again] = await rows(t.endpoint, ServiceId);
    expect(again!.timeline).toEqual([{ status: 'HEALTHY', at: again!.since }]);
  });

  it('names the replica that probes an instance with a HealthCheckConfig, and no health for a service without one', async () => {
    const NamespaceId = await namespace(t.client, 'console-probe.example', true);
    const probed = await t.client.send(
      new CreateServiceCommand({
        Name: 'db',
        NamespaceId,
        DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] },
        HealthCheckConfig: { Type: 'TCP', FailureThreshold: 1 },
      }),
    );
    const plain = await t.client.send(new CreateServiceCommand({ Name: 'plain', NamespaceId, DnsConfig: probed.Service!.DnsConfig }));
    const attrs = { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(listener.port) };
    await t.client.send(new RegisterInstanceCommand({ ServiceId: probed.Service!.Id, InstanceId: 'db-1', Attributes: attrs }));
    await t.client.send(new RegisterInstanceCommand({ ServiceId: plain.Service!.Id, InstanceId: 'p-1', Attributes: attrs }));
    await eventually(async () => {
      const [db] = await rows(t.endpoint, probed.Service!.Id!);
      expect(db).toMatchObject({ instanceId: 'db-1', check: 'probe', probedBy: t.server.replicaId, health: 'HEALTHY' });
    });
    expect(await rows(t.endpoint, plain.Service!.Id!)).toEqual([
      { instanceId: 'p-1', health: 'UNKNOWN', since: null, check: 'none', probedBy: null, timeline: [] },
    ]);
  });

  it('answers an unknown service with ServiceNotFound in the AWS error shape', async () => {
    const res = await fetch(`${t.endpoint}/v1/console/services/srv-nothere/instances`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'ServiceNotFound' });
  });

  it('serves the built console under /ui with a strict CSP, no-cache for the page and immutable hashed files', async () => {
    await buildUi();
    const fresh = await startTestServer(); // reads the files just built
    try {
      const page = await fetch(`${fresh.endpoint}/ui/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const html = await page.text();
      const script = /src="\/ui\/(app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const js = await fetch(`${fresh.endpoint}/ui/${script}`);
      expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(js.headers.get('cache-control')).toContain('immutable');
      const again = await fetch(`${fresh.endpoint}/ui/`, { headers: { 'if-none-match': page.headers.get('etag')! } });
      expect(again.status).toBe(304);
      expect((await fetch(`${fresh.endpoint}/ui/..%2Fpackage.json`)).status).toBe(404);
      // Nothing the page loads comes from elsewhere.
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    } finally {
      await fresh.stop();
    }
  });

  it('says how to build the console when its files are missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cairn-ui-'));
    const app = buildApi({
      ctx: t.server.ctx,
      console: { history: new HealthHistory(1), probedBy: () => undefined, replicaId: 'r', version: '0', uiDir: empty },
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/ui' });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build:ui');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the console API with --credentials', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ flags: ['--credentials', 'AKIDCONSOLE:console-secret'] });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('tells the page to ask for credentials, unsigned', async () => {
    expect(await (await fetch(`${t.endpoint}/v1/console/about`)).json()).toMatchObject({ auth: true });
  });

  it('refuses an unsigned or wrongly signed instance listing, and answers a signed one', async () => {
    const url = new URL(`${t.endpoint}/v1/console/services/srv-nothere/instances`);
    const unsigned = await fetch(url);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    const sign = async (secretAccessKey: string) => {
      const signer = new SignatureV4({
        credentials: { accessKeyId: 'AKIDCONSOLE', secretAccessKey },
        region: 'us-east-1',
        service: 'servicediscovery',
        sha256: Hash.bind(null, 'sha256'),
      });
      const signed = await signer.sign({
        method: 'GET',
        protocol: 'http:',
        hostname: url.host,
        path: url.pathname,
        headers: { host: url.host },
      });
      return fetch(url, { headers: signed.headers as Record<string, string> });
    };
    const wrong = await sign('not-the-secret');
    expect(await wrong.json()).toMatchObject({ __type: 'InvalidSignatureException' });
    const right = await sign('console-secret');
    expect(right.status).toBe(400); // past the signature: the service is unknown
    expect(await right.json()).toMatchObject({ __type: 'ServiceNotFound' });
  });
});
