import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetNamespaceCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { rawCall, startTestServer, type TestServer } from '../support/server.ts';

const clientWith = (endpoint: string, secretAccessKey: string) => new ServiceDiscoveryClient({
  endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDCAIRN', secretAccessKey }, disableHostPrefix: true, maxAttempts: 1,
});

describe('API with --credentials (SigV4 verified)', () => {
  let t: TestServer;
  beforeAll(async () => { t = await startTestServer({ flags: ['--credentials', 'AKIDCAIRN:s3cret/with+chars'] }); });
  afterAll(async () => { await t.stop(); });

  it('accepts a request the JS SDK signed with the configured secret', async () => {
    const client = clientWith(t.endpoint, 's3cret/with+chars');
    await expect(client.send(new GetNamespaceCommand({ Id: 'ns-doesnotexist0000' }))).rejects.toMatchObject({ name: 'NamespaceNotFound' });
    client.destroy();
  });

  it('refuses a request signed with another secret', async () => {
    const client = clientWith(t.endpoint, 'wrong');
    await expect(client.send(new GetNamespaceCommand({ Id: 'ns-doesnotexist0000' }))).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 400 } });
    client.destroy();
  });

  it('refuses an unsigned request with 403 MissingAuthenticationTokenException', async () => {
    const res = await rawCall(t.endpoint, 'Route53AutoNaming_v20170314.ListNamespaces', '{}');
    expect(res.status).toBe(403);
    expect(res.json.__type).toBe('MissingAuthenticationTokenException');
  });
});
