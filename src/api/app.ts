// The HTTP API: Cloud Map's JSON 1.1 protocol on POST / (operation by X-Amz-Target), /healthz, /readyz,
// and the error shape. Every Host is accepted, with or without the `data-` prefix of the discovery operations.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { CloudMapError, InternalFailure, ServiceUnavailable, UnknownOperation } from '../model/errors.ts';
import { redactSecrets } from '../model/redact.ts';
import type { RegistryContext } from '../registry/index.ts';
import type { Registry } from 'prom-client';
import { capConnections, defaultHttpBounds, httpServerOptions, type HttpBounds } from './http-bounds.ts';
import { parseJsonBody } from './json-body.ts';
import { operationOfTarget, type Operation } from './dispatch.ts';
import { sendError, sendOk, toCloudMapError } from './aws-json.ts';
import { metricsRoute, type MetricsText } from './metrics-route.ts';
import { countRequests } from './request-metrics.ts';
import { alwaysReady, readiness, type ReadinessSource } from './readiness.ts';
import { watchRoutes, type WatchSettings } from './watch.ts';
import { consoleRoutes, type ConsoleOptions } from './console.ts';

export interface ApiOptions {
  ctx: RegistryContext;
  logger?: FastifyBaseLogger;
  /** Called with the raw request before dispatch; throws a typed error to refuse it (SigV4). */
  authenticate?: (request: { method: string; url: string; rawHeaders: string[]; body: Buffer }) => Promise<void> | void;
  /** Extra gate per operation (rate limits); throws a typed error to refuse. */
  admit?: (operation: string) => void;
  /** The replica's phase and store for /readyz; writes wait for `serving` (default: always serving). */
  readiness?: ReadinessSource;
  /** Time and connection limits of the HTTP server (defaultHttpBounds when not given). */
  http?: HttpBounds;
  /** Where the API's request metrics are registered (none when not given). */
  metrics?: Registry;
  /** GET /metrics answers this, unsigned like /healthz (no such route when not given). */
  metricsText?: MetricsText;
  /** The watch endpoints (GET /v1/watch, blocking queries); absent: not served. */
  watch?: WatchSettings;
  /** The web console (/ui and its read-only JSON); off when not given. */
  console?: ConsoleOptions;
}

const MAX_BODY = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export function buildApi(options: ApiOptions): FastifyInstance {
  const ready = options.readiness ?? alwaysReady(() => options.ctx.catalog.revision);
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    ...httpServerOptions(options.http ?? defaultHttpBounds),
    bodyLimit: MAX_BODY,
    genReqId: () => randomUUID(),
    // While draining, a request that reaches a connection still open is answered, not refused.
    return503OnClosing: false,
    requestIdHeader: false,
    // One log line per request would dominate the log under discovery load.
    logController: new LogController({ disableRequestLogging: true }),
    // A URL fastify cannot route (bad percent-encoding) gets the AWS error shape too.
    frameworkErrors: (_error, request, reply) => {
      answer(request, reply, new UnknownOperation('(the request URL is not valid; the API is POST /)'));
    },
  });
  capConnections(app.server, (options.http ?? defaultHttpBounds).maxConnections, app.log);

  // Every body is kept as raw bytes: SigV4 hashes them, and JSON errors must be ours, not fastify's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Liveness only: the process answers. Whether to send it traffic is /readyz's.
  app.get('/healthz', async (_req, reply) => reply.send({ status: 'ok' }));
  void app.register(readiness(ready));
  // A draining replica closes each connection after its answer, so clients move to the others.
  // (A callback hook: an async one costs a promise on every response, DiscoverInstances' included.)
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (ready.phase() === 'draining') void reply.header('connection', 'close');
    done(null, payload);
  });

  if (options.metrics) countRequests(app, options.metrics);
  if (options.metricsText) metricsRoute(app, options.metricsText);
  if (options.watch)
    void app.register(watchRoutes, { ...options.watch, ctx: options.ctx, authenticate: options.authenticate, admit: options.admit });
  if (options.console) void app.register(consoleRoutes, { ...options.console, ctx: options.ctx, authenticate: options.authenticate });

  app.post('/', async (request, reply) => {
    reply.header('x-amzn-RequestId', request.id);
    try {
      if (ready.phase() === 'starting') throw new ServiceUnavailable('cairn is starting: the registry is still loading. Retry shortly.');
      const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
      await options.authenticate?.({ method: request.method, url: request.url, rawHeaders: request.raw.rawHeaders, body });
      const operation = operationOf(request.headers['x-amz-target']);
      options.admit?.(operation.name);
      const input = operation.schema.parse(parseJsonBody(body), { reportInput: true });
      const output = await operation.handler(options.ctx, input);
      return sendOk(reply, output ?? {});
    } catch (e) {
      return answer(request, reply, e);
    }
  });

  // Same error shape and headers as every other error, so clients and logs can tell what happened.
  app.setNotFoundHandler((request, reply) =>
    answer(
      request,
      reply,
      new CloudMapError('UnknownOperationException', `Not found: ${request.method} ${request.url.slice(0, 200)} (the API is POST /)`, 404),
    ),
  );
  // fastify's own failures (body too large, bad content length) get the AWS error shape, in our words.
  app.setErrorHandler((error, request, reply) => answer(request, reply, fromFastify(error)));
  return app;
}

/** The operation an X-Amz-Target names: only the model's operations of this service's prefix. */
function operationOf(target: string | string[] | undefined): Operation {
  const text = typeof target === 'string' ? target : '';
  const operation = operationOfTarget(text);
  if (!operation) throw new UnknownOperation(text.length > 200 ? `${text.slice(0, 197)}...` : text);
  return operation;
}

function fromFastify(error: unknown): unknown {
  const status = (error as { statusCode?: unknown }).statusCode;
  if (error instanceof CloudMapError || typeof status !== 'number' || status >= 500) return error;
  if (status === 413) return new CloudMapError('SerializationException', `The request body is larger than ${MAX_BODY} bytes`, 413);
  return new CloudMapError('SerializationException', 'The request body could not be read', status >= 400 ? status : 400);
}

/**
 * Sends the error in the AWS shape. An unexpected one becomes a 500 InternalFailure and is logged once,
 * with the request id the client saw; expected ones (a 4xx, ServiceUnavailable while the store is away)
 * are not logged per request.
 */
function answer(request: FastifyRequest, reply: FastifyReply, e: unknown): FastifyReply {
  reply.header('x-amzn-RequestId', request.id);
  const error = toCloudMapError(e);
  if (error instanceof InternalFailure) request.log.error({ error: loggable(e) }, 'request failed');
  return sendError(reply, error);
}

/**
 * An error as logged: type, message and stack, secrets masked. Not under pino's `err`, whose serialiser
 * copies every member: an ioredis error carries its command's arguments (AUTH's are the password).
 */
function loggable(e: unknown): Record<string, string> {
  if (!(e instanceof Error)) return { type: typeof e };
  return { type: e.name, message: redactSecrets(e.message), stack: redactSecrets(e.stack ?? '') };
}
