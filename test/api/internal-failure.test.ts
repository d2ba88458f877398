// An unexpected exception is a 500 InternalFailure that shows the client nothing internal, and is logged
// once with the request id the client saw, without secrets or the error's other members.
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/app.ts';
import type { RegistryContext } from '../../src/registry/context.ts';
import { rawCall } from '../support/server.ts';

const T = 'Route53AutoNaming_v20170314.';
const lines: Record<string, unknown>[] = [];
let app: FastifyInstance;
let endpoint: string;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  // A registry whose every member throws what a broken dependency might: a message with a URL and
  // password, and an extra member holding a command's arguments (as ioredis errors carry them).
  const broken = new Proxy(
    {},
    {
      get() {
        throw Object.assign(new TypeError('lost redis://cairn:pw-in-message@10.0.0.1:6379'), {
          command: { name: 'auth', args: ['pw-in-member'] },
        });
      },
    },
  ) as RegistryContext;
  app = buildApi({ ctx: broken, logger: pino({ level: 'info' }, sink) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await app.close();
});

describe('an unexpected exception in a handler', () => {
  it('is a 500 InternalFailure with nothing internal in the body, logged once with the request id', async () => {
    const before = lines.length;
    const res = await rawCall(endpoint, `${T}ListNamespaces`, '{}');
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ __type: 'InternalFailure', message: 'Internal failure', Message: 'Internal failure' });
    const requestId = res.headers.get('x-amzn-requestid');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    const logged = lines.slice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, reqId: requestId, msg: 'request failed', error: { type: 'TypeError' } });
    const text = JSON.stringify(logged[0]);
    expect(text).toContain('redis://cairn:***@10.0.0.1:6379');
    expect(text).not.toContain('pw-in-message');
    expect(text).not.toContain('pw-in-member');
  });

  it('logs nothing for a client error', async () => {
    const before = lines.length;
    const res = await rawCall(endpoint, `${T}NoSuchThing`, '{}');
    expect(res.status).toBe(400);
    expect(lines.slice(before)).toEqual([]);
  });
});
