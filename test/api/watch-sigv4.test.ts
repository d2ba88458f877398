// With --credentials, the watch endpoints take SigV4 like every request: a GET signed over its path and
// query string with the empty body's hash. The SDK never sends these, so the test signs them itself.
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  RegisterInstanceCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SseClient } from '../support/sse.ts';

const KEY = 'AKIDCAIRN';
const SECRET = 's3cret/with+chars';

/** The headers of a GET signed for cairn, over `path` and `query`. */
async function signedGet(endpoint: string, path: string, query: Record<string, string>, secret = SECRET): Promise<Record<string, string>> {
  const host = new URL(endpoint).host;
  const signer = new SignatureV4({
    credentials: { accessKeyId: KEY, secretAccessKey: secret },
    region: 'us-east-1',
    service: 'servicediscovery',
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: host, path, query, headers: { host } });
  const { host: _host, ...headers } = signed.headers;
  return headers;
}

const urlOf = (endpoint: string, path: string, query: Record<string, string>) =>
  `${endpoint}${path}?${new URLSearchParams(query).toString()}`;

describe('watch endpoints with --credentials', () => {
  let t: TestServer;
  const path = '/v1/namespaces/kouzie.com/services/backend/instances';
  const query = { revision: '0', wait: '1s', 'query.zone': 'a b+c/d' };

  beforeAll(async () => {
    t = await startTestServer({ flags: ['--credentials', `${KEY}:${SECRET}`] });
    const client = new ServiceDiscoveryClient({
      endpoint: t.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: KEY, secretAccessKey: SECRET },
      disableHostPrefix: true,
      maxAttempts: 1,
    });
    const { OperationId } = await client.send(new CreateHttpNamespaceCommand({ Name: 'kouzie.com' }));
    const nsId = (await client.send(new GetOperationCommand({ OperationId }))).Operation!.Targets!.NAMESPACE!;
    const ServiceId = (await client.send(new CreateServiceCommand({ Name: 'backend', NamespaceId: nsId }))).Service!.Id!;
    await client.send(new RegisterInstanceCommand({ ServiceId, InstanceId: 'i-1', Attributes: { zone: 'a b+c/d' } }));
    client.destroy();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('refuses unsigned GETs with 403 MissingAuthenticationTokenException, and leaves /healthz open', async () => {
    for (const url of [urlOf(t.endpoint, path, query), `${t.endpoint}/v1/watch?namespace=kouzie.com&service=backend`]) {
      const res = await fetch(url);
      expect([res.status, ((await res.json()) as { __type: string }).__type], url).toEqual([403, 'MissingAuthenticationTokenException']);
    }
    expect((await fetch(`${t.endpoint}/healthz`)).status).toBe(200);
  });

  it('answers a signed blocking query', async () => {
    const res = await fetch(urlOf(t.endpoint, path, query), { headers: await signedGet(t.endpoint, path, query) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ InstancesRevision: 1, Instances: [{ InstanceId: 'i-1', Attributes: { zone: 'a b+c/d' } }] });
  });

  it('refuses a signed GET whose query was changed after signing, or signed with another secret', async () => {
    const headers = await signedGet(t.endpoint, path, query);
    const tampered = await fetch(urlOf(t.endpoint, path, { ...query, 'query.zone': 'b' }), { headers });
    expect([tampered.status, ((await tampered.json()) as { __type: string }).__type]).toEqual([400, 'InvalidSignatureException']);
    const wrong = await fetch(urlOf(t.endpoint, path, query), { headers: await signedGet(t.endpoint, path, query, 'wrong') });
    expect([wrong.status, ((await wrong.json()) as { __type: string }).__type]).toEqual([400, 'InvalidSignatureException']);
  });

  it('streams to a signed GET /v1/watch', async () => {
    const q = { namespace: 'kouzie.com', service: 'backend' };
    const s = await SseClient.open(urlOf(t.endpoint, '/v1/watch', q), await signedGet(t.endpoint, '/v1/watch', q));
    try {
      expect(s.status).toBe(200);
      expect(await s.next()).toMatchObject({ event: 'snapshot', data: { instances: [{ InstanceId: 'i-1' }] } });
    } finally {
      s.close();
    }
  });
});
