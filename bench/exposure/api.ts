// Rows 1, 2 and 4 of the probe: what the API answers to inherited operation names (with a Redis password
// to leak), to JSON nested 10,000 deep, and to a signed read re-sent as a delete under --credentials.
import { randomBytes } from 'node:crypto';
import { CreateServiceCommand, GetInstanceCommand, RegisterInstanceCommand } from '@aws-sdk/client-servicediscovery';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { startCairn } from '../lib/cairn.ts';
import { createHttpNamespace } from '../lib/load.ts';
import { startRedis } from '../lib/redis.ts';
import { client, logLines, n, quantile, stackLines, type ProbeResult } from './common.ts';

const stringOr = (v: unknown): string => (typeof v === 'string' ? v : '');

const T = 'Route53AutoNaming_v20170314.';
const JSON_TYPE = 'application/x-amz-json-1.1';

interface Answer {
  status: number;
  type: string;
  text: string;
  ms: number;
}

async function post(endpoint: string, target: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': JSON_TYPE, 'x-amz-target': target, ...headers },
    body,
  });
  const text = await res.text();
  let type = '';
  try {
    type = stringOr((JSON.parse(text) as { __type?: unknown }).__type);
  } catch {
    /* not JSON */
  }
  return { status: res.status, type, text, ms: performance.now() - started };
}

/** Every name an object inherits, which a dispatch by `table[name]` would have reached. */
function inheritedNames(): string[] {
  return [
    ...new Set([
      ...Object.getOwnPropertyNames(Object.prototype),
      ...Object.getOwnPropertyNames(Function.prototype),
      '__proto__',
      'prototype',
      'then',
      'toJSON',
    ]),
  ].sort();
}

export async function inheritedTargets(): Promise<ProbeResult> {
  const password = `exposure-${randomBytes(12).toString('hex')}`;
  const redis = await startRedis(undefined, { password });
  const cairn = await startCairn({ name: 'row1-dispatch', redis: { url: redis.url, prefix: 'exposure1' } });
  const problems: string[] = [];
  try {
    // Some state to dump: a namespace, a service and an instance.
    const sdk = client(cairn.endpoint);
    const ns = await createHttpNamespace(sdk, 'dump-me');
    const svc = (await sdk.send(new CreateServiceCommand({ Name: 'svc', NamespaceId: ns }))).Service!.Id!;
    await sdk.send(new RegisterInstanceCommand({ ServiceId: svc, InstanceId: 'i-1', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } }));
    sdk.destroy();

    const names = inheritedNames();
    const answers = await Promise.all(names.map(async (name) => ({ name, a: await post(cairn.endpoint, `${T}${name}`, '{}') })));
    const byOutcome = new Map<string, number>();
    for (const { name, a } of answers) {
      const outcome = `${a.status} ${a.type}`;
      byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
      if (a.status !== 400 || a.type !== 'UnknownOperationException') problems.push(`${name}: ${outcome}`);
    }
    const leaked = answers.filter(({ a }) => a.text.includes(password)).length;
    if (leaked > 0) problems.push(`the Redis password is in ${leaked} answers`);
    const logLeaks = cairn.proc
      .log()
      .split('\n')
      .filter((l) => l.includes(password)).length;
    if (logLeaks > 0) problems.push(`the Redis password is in ${logLeaks} log lines`);
    const largest = Math.max(...answers.map(({ a }) => Buffer.byteLength(a.text)));
    const outcomes = [...byOutcome].map(([o, c]) => `${c} × ${o}`).join(', ');
    return {
      row: '1',
      sent: `X-Amz-Target \`…constructor\`, \`toString\`, \`__proto__\` and every other inherited name (${names.length}), body \`{}\`, unsigned; Redis with \`requirepass\``,
      now: outcomes,
      measured: `largest answer ${largest} bytes; the password in ${leaked} answers and ${logLeaks} log lines`,
      problems,
    };
  } finally {
    await cairn.stop();
    await redis.stop();
  }
}

export async function deepJson(): Promise<ProbeResult> {
  const cairn = await startCairn({ name: 'row2-deep-json' });
  const problems: string[] = [];
  try {
    const DEPTH = 10_000;
    const REPEAT = 20;
    const bodies: [string, string][] = [
      ['arrays', `{"Filters":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`],
      ['objects', `{"Filters":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}`],
      // The largest body the API reads: V8 alone would spend a good part of a second on it.
      ['1 MiB of [', `{"Filters":${'['.repeat(1024 * 1024 - 16)}}`],
    ];
    const logBefore = cairn.proc.log().length;
    const results: { what: string; bytes: number; outcomes: Set<string>; ms: number[] }[] = [];
    for (const [what, body] of bodies) {
      const r = { what, bytes: Buffer.byteLength(body), outcomes: new Set<string>(), ms: [] as number[] };
      for (let i = 0; i < REPEAT; i++) {
        const a = await post(cairn.endpoint, `${T}ListServices`, body);
        let message = '';
        try {
          message = (JSON.parse(a.text) as { message?: string }).message ?? '';
        } catch {
          /* not JSON: the outcome says so */
        }
        r.outcomes.add(`${a.status} ${a.type} "${message}"`);
        r.ms.push(a.ms);
        if (a.status !== 400 || a.type !== 'SerializationException') problems.push(`${what}: ${a.status} ${a.type}`);
      }
      results.push(r);
    }
    const normal = await post(cairn.endpoint, `${T}ListServices`, '{}');
    if (normal.status !== 200) problems.push(`a normal ListServices afterwards: ${normal.status} ${normal.type}`);
    // Let the log pipe catch up before reading it.
    await new Promise((r) => setTimeout(r, 300));
    const during = cairn.proc.log().slice(logBefore);
    const lines = logLines(during).length;
    const stacks = stackLines(during);
    if (stacks > 0) problems.push(`${stacks} log lines with a stack`);
    return {
      row: '2',
      sent: `\`{"Filters": [[[[…]]]]}\` ${n(DEPTH)} deep (${Math.round(results[0]!.bytes / 1000)} KB) to ListServices; the same with objects (${Math.round(results[1]!.bytes / 1000)} KB); 1 MiB of \`[\`; ${REPEAT} of each`,
      now: `${[...new Set(results.flatMap((r) => [...r.outcomes]))].join(', ')}; then ListServices → ${normal.status}`,
      measured:
        results.map((r) => `${r.what}: p50 ${quantile(r.ms, 0.5).toFixed(1)} ms, max ${Math.max(...r.ms).toFixed(1)} ms`).join('; ') +
        `; ${lines} log lines, ${stacks} stacks for ${REPEAT * bodies.length} requests`,
      problems,
    };
  } finally {
    await cairn.stop();
  }
}

interface Signed {
  headers: Record<string, string>;
  signedHeaders: string;
}

/** A SigV4-signed request as a client would send it; `unsigned` headers are left out of the signature. */
async function sign(o: {
  endpoint: string;
  accessKeyId: string;
  secret: string;
  target: string;
  body: string;
  unsigned?: string[];
  date?: Date;
  checksum?: boolean;
}): Promise<Signed> {
  const url = new URL(o.endpoint);
  const signer = new SignatureV4({
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secret },
    region: 'us-east-1',
    service: 'servicediscovery',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: o.checksum ?? true,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.host,
      path: '/',
      body: o.body,
      headers: { host: url.host, 'content-type': JSON_TYPE, 'x-amz-target': `${T}${o.target}` },
    },
    { unsignableHeaders: new Set(o.unsigned ?? []), ...(o.date ? { signingDate: o.date } : {}) },
  );
  // fetch sets Host itself, from the URL: the same value that was signed.
  const { host: _host, ...headers } = signed.headers as Record<string, string>;
  return { headers, signedHeaders: /SignedHeaders=([^,]+)/.exec(headers.authorization ?? '')?.[1] ?? '' };
}

async function send(endpoint: string, headers: Record<string, string>, body: string): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${endpoint}/`, { method: 'POST', headers, body });
  const text = await res.text();
  let type = '';
  try {
    type = stringOr((JSON.parse(text) as { __type?: unknown }).__type);
  } catch {
    /* not JSON */
  }
  return { status: res.status, type, text, ms: performance.now() - started };
}

export interface SigV4Matrix {
  rows: [string, string][];
  problems: string[];
}

export async function resignedTarget(): Promise<{ row: ProbeResult; matrix: SigV4Matrix }> {
  const KEY = 'AKIDEXPOSURE';
  const SECRET = `secret-${randomBytes(12).toString('hex')}`;
  const cairn = await startCairn({ name: 'row4-sigv4', extraFlags: ['--credentials', `${KEY}:${SECRET}`] });
  const problems: string[] = [];
  const matrix: SigV4Matrix = { rows: [], problems: [] };
  try {
    const sdk = client(cairn.endpoint, { accessKeyId: KEY, secretAccessKey: SECRET });
    const ns = await createHttpNamespace(sdk, 'signed');
    const ServiceId = (await sdk.send(new CreateServiceCommand({ Name: 'web', NamespaceId: ns }))).Service!.Id!;
    await sdk.send(new RegisterInstanceCommand({ ServiceId, InstanceId: 'i-keep', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } }));
    const body = JSON.stringify({ ServiceId, InstanceId: 'i-keep' });

    // The probe's request: GetInstance signed over content-type, host and x-amz-date only.
    const read = await sign({
      endpoint: cairn.endpoint,
      accessKeyId: KEY,
      secret: SECRET,
      target: 'GetInstance',
      body,
      unsigned: ['x-amz-target'],
      checksum: false,
    });
    if (read.signedHeaders !== 'content-type;host;x-amz-date')
      problems.push(`the probe signed ${read.signedHeaders}, not content-type;host;x-amz-date`);
    const asRead = await send(cairn.endpoint, read.headers, body);
    const asDelete = await send(cairn.endpoint, { ...read.headers, 'x-amz-target': `${T}DeregisterInstance` }, body);
    const message = stringOr((JSON.parse(asDelete.text) as { message?: unknown }).message);
    const stillThere = await sdk.send(new GetInstanceCommand({ ServiceId, InstanceId: 'i-keep' })).then(
      (r) => r.Instance?.Id === 'i-keep',
      () => false,
    );
    if (asDelete.status === 200) problems.push('the re-targeted request was accepted');
    if (!stillThere) problems.push('the instance was deleted');

    // What held before the fixes and must still hold: signed, unsigned, wrong key, wrong secret, skewed.
    const full = await sign({ endpoint: cairn.endpoint, accessKeyId: KEY, secret: SECRET, target: 'GetInstance', body });
    const cases: [string, Record<string, string>, string][] = [
      ['signed by the SDK signer (every header)', full.headers, '200'],
      [
        'the same, X-Amz-Target changed to DeregisterInstance',
        { ...full.headers, 'x-amz-target': `${T}DeregisterInstance` },
        '400 InvalidSignatureException',
      ],
      ['unsigned', { 'content-type': JSON_TYPE, 'x-amz-target': `${T}GetInstance` }, '403 MissingAuthenticationTokenException'],
      [
        'unknown access key',
        (await sign({ endpoint: cairn.endpoint, accessKeyId: 'AKIDOTHER', secret: SECRET, target: 'GetInstance', body })).headers,
        '400 UnrecognizedClientException',
      ],
      [
        'wrong secret',
        (await sign({ endpoint: cairn.endpoint, accessKeyId: KEY, secret: 'wrong', target: 'GetInstance', body })).headers,
        '400 InvalidSignatureException',
      ],
      [
        'signed 10 min ago (--sigv4-max-skew 5m)',
        (
          await sign({
            endpoint: cairn.endpoint,
            accessKeyId: KEY,
            secret: SECRET,
            target: 'GetInstance',
            body,
            date: new Date(Date.now() - 600_000),
          })
        ).headers,
        '400 InvalidSignatureException',
      ],
    ];
    for (const [what, headers, expected] of cases) {
      const a = await send(cairn.endpoint, headers, body);
      const got = a.status === 200 ? '200' : `${a.status} ${a.type}`;
      matrix.rows.push([what, got]);
      if (got !== expected) matrix.problems.push(`SigV4 ${what}: ${got}, expected ${expected}`);
    }
    sdk.destroy();
    return {
      row: {
        row: '4',
        sent: 'with `--credentials`: GetInstance signed with `SignedHeaders=content-type;host;x-amz-date`, re-sent with `X-Amz-Target: …DeregisterInstance`',
        now: `${asDelete.status} ${asDelete.type}: "${message.slice(0, 60)}…"; the instance is still there (the GetInstance as signed: ${asRead.status} ${asRead.type}, its X-Amz-Target is unsigned too)`,
        measured: `instance present after: ${stillThere ? 'yes' : 'no'}`,
        problems,
      },
      matrix,
    };
  } finally {
    await cairn.stop();
  }
}
