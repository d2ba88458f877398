// The HTTP API: Cloud Map's JSON 1.1 protocol on POST / (operation by X-Amz-Target), /healthz, and the
// error shape. Every Host is accepted, with or without the `data-` prefix of the discovery operations.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { inputSchema, dropNulls } from '../model/input-schema.ts';
import { targetPrefix } from '../model/service-model.ts';
import type { OperationInputs } from '../model/inputs.ts';
import { CloudMapError, SerializationException, UnknownOperation } from '../model/errors.ts';
import type { RegistryContext } from '../registry/context.ts';
import { handlers, type Handler } from './operations.ts';
import { sendError, sendOk, toCloudMapError } from './wire.ts';

export interface ApiOptions {
  ctx: RegistryContext;
  logger?: FastifyBaseLogger;
  /** Called with the raw request before dispatch; throws a typed error to refuse it (SigV4). */
  authenticate?: (request: { method: string; url: string; rawHeaders: string[]; body: Buffer }) => Promise<void> | void;
  /** Extra gate per operation (rate limits); throws a typed error to refuse. */
  admit?: (operation: string) => void;
  /** false while the server is not ready to serve (e.g. loading the catalog). */
  ready?: () => boolean;
}

const MAX_BODY = 1024 * 1024;

export function buildApi(options: ApiOptions): FastifyInstance {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: MAX_BODY,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // One log line per request would dominate the log under discovery load.
    logController: new LogController({ disableRequestLogging: true }),
  });

  // Every body is kept as raw bytes: SigV4 hashes them, and JSON errors must be ours, not fastify's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get('/healthz', async (_req, reply) => {
    if (options.ready && !options.ready()) return reply.code(503).send({ status: 'starting' });
    return reply.send({ status: 'ok' });
  });

  app.post('/', async (request, reply) => {
    reply.header('x-amzn-RequestId', request.id);
    try {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      await options.authenticate?.({ method: request.method, url: request.url, rawHeaders: request.raw.rawHeaders, body });
      const target = String(request.headers['x-amz-target'] ?? '');
      const dot = target.lastIndexOf('.');
      const prefix = target.slice(0, dot);
      const name = target.slice(dot + 1) as keyof OperationInputs;
      const handler = prefix === targetPrefix ? handlers[name] as Handler<typeof name> | undefined : undefined;
      if (!handler) throw new UnknownOperation(target);
      options.admit?.(name);
      const input = inputSchema(name).parse(dropNulls(parseJson(body)), { reportInput: true });
      const output = await handler(options.ctx, input);
      return sendOk(reply, output ?? {});
    } catch (e) {
      const error = toCloudMapError(e);
      if (error.status >= 500 && error.code !== 'ServiceUnavailable') request.log.error({ err: e }, 'request failed'); // outages: logged once by the store
      return sendError(reply, error);
    }
  });

  // Same error shape and headers as every other error, so clients and logs can tell what happened.
  app.setNotFoundHandler((req, reply) => sendError(
    reply.header('x-amzn-RequestId', req.id),
    new CloudMapError('UnknownOperationException', `Not found: ${req.method} ${req.url.slice(0, 200)} (the API is POST /)`, 404),
  ));
  app.setErrorHandler((error, request, reply) => {
    // fastify's own failures (body too large, bad content length) still get the AWS error shape.
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const e = status < 500 ? new SerializationException((error as Error).message) : toCloudMapError(error);
    return sendError(reply, e);
  });
  return app;
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new SerializationException('The request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SerializationException('The request body must be a JSON object');
  }
  return value;
}
