import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  GetInstanceCommand,
  GetNamespaceCommand,
  GetOperationCommand,
  RegisterInstanceCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { rawCall, startTestServer, type TestServer } from '../support/server.ts';

const clientWith = (endpoint: string, secretAccessKey: string) =>
  new ServiceDiscoveryClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDCAIRN', secretAccessKey },
    disableHostPrefix: true,
    maxAttempts: 1,
  });

describe('API with --credentials (SigV4 verified)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ flags: ['--credentials', 'AKIDCAIRN:s3cret/with+chars'] });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('accepts a request the JS SDK signed with the configured secret', async () => {
    const client = clientWith(t.endpoint, 's3cret/with+chars');
    await expect(client.send(new GetNamespaceCommand({ Id: 'ns-doesnotexist0000' }))).rejects.toMatchObject({ name: 'NamespaceNotFound' });
    client.destroy();
  });

  it('refuses a request signed with another secret', async () => {
    const client = clientWith(t.endpoint, 'wrong');
    await expect(client.send(new GetNamespaceCommand({ Id: 'ns-doesnotexist0000' }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 400 },
    });
    client.destroy();
  });

  it('refuses an unsigned request with 403 MissingAuthenticationTokenException', async () => {
    const res = await rawCall(t.endpoint, 'Route53AutoNaming_v20170314.ListNamespaces', '{}');
    expect(res.status).toBe(403);
    expect(res.json.__type).toBe('MissingAuthenticationTokenException');
  });

  it('refuses a signed GetInstance re-sent as DeregisterInstance (X-Amz-Target left unsigned), and deletes nothing', async () => {
    const client = clientWith(t.endpoint, 's3cret/with+chars');
    const op = await client.send(new CreateHttpNamespaceCommand({ Name: 'sig-replay' }));
    const NamespaceId = (await client.send(new GetOperationCommand({ OperationId: op.OperationId! }))).Operation!.Targets!.NAMESPACE!;
    const ServiceId = (await client.send(new CreateServiceCommand({ Name: 'web', NamespaceId }))).Service!.Id!;
    await client.send(new RegisterInstanceCommand({ ServiceId, InstanceId: 'i-keep', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } }));

    const url = new URL(t.endpoint);
    const body = JSON.stringify({ ServiceId, InstanceId: 'i-keep' });
    const signer = new SignatureV4({
      credentials: { accessKeyId: 'AKIDCAIRN', secretAccessKey: 's3cret/with+chars' },
      region: 'eu-west-1',
      service: 'servicediscovery',
      sha256: Hash.bind(null, 'sha256'),
    });
    const read = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: url.host,
        path: '/',
        body,
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'Route53AutoNaming_v20170314.GetInstance',
        },
      },
      { unsignableHeaders: new Set(['x-amz-target']) },
    );
    expect(String(read.headers.authorization)).toContain('SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,');

    const { host: _host, ...headers } = read.headers;
    const res = await fetch(`${t.endpoint}/`, {
      method: 'POST',
      body,
      headers: { ...headers, 'x-amz-target': 'Route53AutoNaming_v20170314.DeregisterInstance' },
    });
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(400);
    expect(json.__type).toBe('IncompleteSignatureException');
    expect(json.message).toContain("'x-amz-target' must be a 'SignedHeader'");
    expect((await client.send(new GetInstanceCommand({ ServiceId, InstanceId: 'i-keep' }))).Instance?.Id).toBe('i-keep');
    client.destroy();
  });
});
