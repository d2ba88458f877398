import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { sigv4Verifier, type RawRequest } from '../../src/api/sigv4.ts';

// SigV4 verification (docs/cloud-map-api.md#signing). A request recorded from the AWS CLI v1, key x / secret y.
const body = Buffer.from('{"Name": "kouzie.com", "CreatorRequestId": "req-1", "Properties": {"DnsProperties": {"SOA": {"TTL": 15}}}}');
const cliRequest = (overrides: Partial<Record<string, string>> = {}): RawRequest => {
  const headers: Record<string, string> = {
    Host: '127.0.0.1:5055',
    'Content-Type': 'application/x-amz-json-1.1',
    'X-Amz-Date': '20261127T055549Z',
    'X-Amz-Target': 'Route53AutoNaming_v20170314.CreatePublicDnsNamespace',
    Authorization:
      'AWS4-HMAC-SHA256 Credential=x/20261127/us-east-1/servicediscovery/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=df010fdfb931c3d858f9c85a6fb5224aebae3e90ea61180dc0916896dc309131',
    ...overrides,
  };
  return {
    method: 'POST',
    url: '/',
    rawHeaders: Object.entries(headers)
      .filter(([, v]) => v !== '')
      .flat(),
    body,
  };
};
const signedAt = Date.UTC(2026, 10, 27, 5, 55, 49);
const verify = sigv4Verifier({ credentials: [{ accessKeyId: 'x', secretAccessKey: 'y' }], maxSkewMs: 300_000, now: () => signedAt + 1000 });

describe('SigV4 verification', () => {
  it('accepts the AWS CLI test vector', async () => {
    await expect(verify(cliRequest())).resolves.toBeUndefined();
  });

  it.each([
    ['no Authorization header', { Authorization: '' }, 'MissingAuthenticationTokenException'],
    ['a malformed Authorization header', { Authorization: 'AWS4-HMAC-SHA256 garbage' }, 'IncompleteSignatureException'],
    [
      'an unknown access key',
      { Authorization: cliRequest().rawHeaders[9]!.replace('Credential=x/', 'Credential=nobody/') },
      'UnrecognizedClientException',
    ],
    ['a changed target', { 'X-Amz-Target': 'Route53AutoNaming_v20170314.DeleteNamespace' }, 'InvalidSignatureException'],
    ['a changed host', { Host: '127.0.0.1:5056' }, 'InvalidSignatureException'],
    ['a scope date unlike X-Amz-Date', { 'X-Amz-Date': '20261128T055549Z' }, 'IncompleteSignatureException'],
  ])('refuses %s', async (_what, overrides, code) => {
    await expect(verify(cliRequest(overrides))).rejects.toMatchObject({ code });
  });

  it('refuses a changed body', async () => {
    const req = cliRequest();
    await expect(verify({ ...req, body: Buffer.from(body.toString().replace('15', '16')) })).rejects.toMatchObject({
      code: 'InvalidSignatureException',
    });
  });

  it('refuses a request signed more than the allowed skew ago', async () => {
    const late = sigv4Verifier({
      credentials: [{ accessKeyId: 'x', secretAccessKey: 'y' }],
      maxSkewMs: 300_000,
      now: () => signedAt + 301_000,
    });
    await expect(late(cliRequest())).rejects.toMatchObject({
      code: 'InvalidSignatureException',
      message: expect.stringContaining('Signature expired'),
    });
  });
});

/** A request signed like an SDK would, leaving out of SignedHeaders the headers named in `unsigned`. */
async function signed(headers: Record<string, string>, unsigned: string[] = []): Promise<RawRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    region: 'us-east-1',
    service: 'servicediscovery',
    sha256: Hash.bind(null, 'sha256'),
  });
  const request = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: '127.0.0.1:5055', path: '/', headers: { host: '127.0.0.1:5055', ...headers }, body },
    { signingDate: new Date(signedAt), unsignableHeaders: new Set(unsigned) },
  );
  return { method: 'POST', url: '/', rawHeaders: Object.entries(request.headers).flat(), body };
}

describe('SignedHeaders coverage', () => {
  const json = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Route53AutoNaming_v20170314.GetInstance' };

  it('accepts a request whose signature covers host, content-type and every x-amz-* header', async () => {
    await expect(verify(await signed({ ...json, 'x-amz-user-agent': 'aws-sdk-js/3' }))).resolves.toBeUndefined();
  });

  it('accepts user-agent and x-amzn-trace-id left unsigned, as the SDKs leave them', async () => {
    const req = await signed(json);
    await expect(
      verify({ ...req, rawHeaders: [...req.rawHeaders, 'User-Agent', 'aws-cli/1', 'X-Amzn-Trace-Id', 'Root=1-x'] }),
    ).resolves.toBeUndefined();
  });

  it.each([
    ['x-amz-target', 'x-amz-target'],
    ['content-type', 'content-type'],
    ['x-amz-date', 'x-amz-date'],
    ['another x-amz-* header', 'x-amz-security-token'],
  ])('refuses a signature that leaves out %s with IncompleteSignatureException', async (_what, name) => {
    const req = await signed({ ...json, 'x-amz-security-token': 'token' }, [name]);
    expect(req.rawHeaders.find((h) => h.startsWith('AWS4-HMAC-SHA256'))).not.toMatch(new RegExp(`SignedHeaders=[^,]*\\b${name}\\b`));
    await expect(verify(req)).rejects.toMatchObject({
      code: 'IncompleteSignatureException',
      status: 400,
      message: expect.stringContaining(`'${name}' must be a 'SignedHeader'`),
    });
  });

  it('refuses a signed read replayed with another X-Amz-Target when the target was not signed', async () => {
    const read = await signed(json, ['x-amz-target']);
    const replay = read.rawHeaders.map((h) => h.replace('.GetInstance', '.DeregisterInstance'));
    await expect(verify({ ...read, rawHeaders: replay })).rejects.toMatchObject({ code: 'IncompleteSignatureException' });
  });
});
