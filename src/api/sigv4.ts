// SigV4 verification of API requests when credentials are configured: re-sign a copy of the request
// that holds exactly the headers the client signed, and compare signatures in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { AuthError } from '../model/errors.ts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RawRequest {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
}

export interface VerifierOptions {
  credentials: Credentials[];
  maxSkewMs: number;
  now?: () => number;
}

const SERVICE = 'servicediscovery';
const authPattern =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;\-_.]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

interface ParsedAuth {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string): ParsedAuth {
  const m = authPattern.exec(value.trim());
  if (!m) throw new AuthError('IncompleteSignatureException', 'Authorization header is not a well-formed AWS4-HMAC-SHA256 signature');
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]!, signedHeaders: m[5]!.split(';'), signature: m[6]! };
}

/** Header values by lower-case name, repeated headers joined with ',' (as SigV4 canonicalises them). */
function headerMap(rawHeaders: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const prev = map.get(name);
    map.set(name, prev === undefined ? rawHeaders[i + 1]! : `${prev},${rawHeaders[i + 1]!}`);
  }
  return map;
}

/**
 * The first header a signature must cover but does not: host, content-type when present, and every
 * x-amz-* header, as AWS requires. Unsigned, X-Amz-Target could turn a signed read into a delete.
 * The AWS CLI, boto3 and the JS SDK sign all of these; they leave out only user-agent, x-amzn-trace-id
 * and hop-by-hop headers, which decide nothing here.
 */
function firstUnsigned(headers: Map<string, string>, signed: ReadonlySet<string>): string | undefined {
  if (!signed.has('host')) return 'host';
  for (const name of headers.keys()) {
    if ((name === 'content-type' || name.startsWith('x-amz-')) && !signed.has(name)) return name;
  }
  return undefined;
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

export function sigv4Verifier(options: VerifierOptions): (req: RawRequest) => Promise<void> {
  const secrets = new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  const now = options.now ?? Date.now;
  return async (req) => {
    const headers = headerMap(req.rawHeaders);
    const authorization = headers.get('authorization');
    if (authorization === undefined) throw new AuthError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const auth = parseAuthorization(authorization);
    const amzDate = headers.get('x-amz-date');
    const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
    if (!signingDate || !amzDate) throw new AuthError('IncompleteSignatureException', 'X-Amz-Date header is missing or malformed');
    if (auth.service !== SERVICE)
      throw new AuthError('IncompleteSignatureException', `Credential scope names service ${auth.service}, expected ${SERVICE}`);
    if (auth.date !== amzDate.slice(0, 8))
      throw new AuthError('IncompleteSignatureException', 'Credential scope date does not match X-Amz-Date');
    const unsigned = firstUnsigned(headers, new Set(auth.signedHeaders));
    if (unsigned !== undefined) {
      throw new AuthError(
        'IncompleteSignatureException',
        `'${unsigned}' must be a 'SignedHeader' in the AWS Authorization (host, content-type and every x-amz-* header the request carries)`,
      );
    }
    const secret = secrets.get(auth.accessKeyId);
    if (secret === undefined) throw new AuthError('UnrecognizedClientException', 'The security token included in the request is invalid');
    const skew = Math.abs(now() - signingDate.getTime());
    if (skew > options.maxSkewMs) {
      throw new AuthError(
        'InvalidSignatureException',
        `Signature expired: ${amzDate} is now earlier than ${new Date(now() - options.maxSkewMs).toISOString()}`,
      );
    }
    const bodyHash = createHash('sha256').update(req.body).digest('hex');
    const declared = headers.get('x-amz-content-sha256');
    if (declared !== undefined && declared !== bodyHash) {
      throw new AuthError('InvalidSignatureException', 'x-amz-content-sha256 does not match the request body');
    }
    const signed: Record<string, string> = Object.create(null) as Record<string, string>; // names are the client's
    for (const name of auth.signedHeaders) {
      const v = headers.get(name);
      if (v === undefined) throw new AuthError('IncompleteSignatureException', `Signed header ${name} is missing from the request`);
      signed[name] = v;
    }
    const url = new URL(req.url, 'http://cairn');
    const query: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of url.searchParams) query[k] = v;
    const signer = new SignatureV4({
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: secret },
      region: auth.region,
      service: SERVICE,
      sha256: Hash.bind(null, 'sha256'),
      applyChecksum: false,
    });
    const resigned = await signer.sign(
      { method: req.method, protocol: 'http:', hostname: signed.host ?? '', path: url.pathname, query, headers: signed, body: req.body },
      { signingDate, signingRegion: auth.region, signingService: SERVICE, signableHeaders: new Set(auth.signedHeaders) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization ?? ''))?.[1] ?? '';
    const a = Buffer.from(expected, 'utf8');
    const b = Buffer.from(auth.signature, 'utf8');
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new AuthError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
  };
}
