// The watch endpoints (docs/cloud-map-api.md#watching): a blocking query that answers when a service's
// InstancesRevision moves, and a server-sent events stream of its instances. Read-only GETs, signed
// like every other request when --credentials is set; errors in the AWS shape.
import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { InvalidInput } from '../model/errors.ts';
import { inputSchema } from '../model/input-schema.ts';
import type { DiscoverInstancesRequest } from '../model/inputs.ts';
import type { Log } from '../model/log.ts';
import { discoverInstances, discoveredService, type RegistryContext, type WatchHub, type WatchSink } from '../registry/index.ts';
import type { RawRequest } from './sigv4.ts';
import { parseDuration } from '../model/duration.ts';

export interface WatchSettings {
  hub: WatchHub;
  /** Longest wait of a blocking query, and its wait when none is given. */
  maxWaitMs: number;
  /** Bytes a stream may leave unsent before its next event; beyond it the stream is closed. */
  maxBufferBytes: number;
}

export interface WatchRouteOptions extends WatchSettings {
  ctx: RegistryContext;
  authenticate?: (request: RawRequest) => Promise<void> | void;
  admit?: (operation: string) => void;
}

const EMPTY = Buffer.alloc(0);
const discoverSchema = inputSchema('DiscoverInstances');
const clip = (s: string): string => (s.length > 64 ? `${s.slice(0, 61)}...` : s);

export const watchRoutes: FastifyPluginAsync<WatchRouteOptions> = async (app, o) => {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-amzn-RequestId', request.id);
    await o.authenticate?.({ method: request.method, url: request.url, rawHeaders: request.raw.rawHeaders, body: EMPTY });
  });
  // Streams and waiting queries would hold the server's close open: end them first.
  app.addHook('preClose', (done) => {
    o.hub.close();
    done();
  });

  app.get<{ Params: { namespace: string; service: string } }>(
    '/v1/namespaces/:namespace/services/:service/instances',
    { exposeHeadRoute: false },
    async (request, reply) => {
      const q = blockingQuery(request.params, request.query, o.maxWaitMs);
      o.admit?.('DiscoverInstances');
      const service = discoveredService(o.ctx, q.input.NamespaceName, q.input.ServiceName);
      if (q.revision === service.instancesRevision && q.waitMs > 0) {
        const wait = o.hub.wait(service.id, q.revision, q.waitMs);
        reply.raw.once('close', wait.cancel);
        await wait.done;
        reply.raw.off('close', wait.cancel);
        if (request.raw.socket.destroyed) return reply.hijack(); // the client went away
        // Shutting down: a connection left open after the answer would hold the server's close until it idles out.
        if (o.hub.closed) reply.header('connection', 'close');
      }
      // All instances unless `max` says otherwise: a watcher wants the whole set, not a sample.
      const body = discoverInstances(o.ctx, { ...q.input, MaxResults: q.input.MaxResults ?? Number.MAX_SAFE_INTEGER });
      return reply.code(200).header('content-type', 'application/json').send(body.text);
    },
  );

  app.get('/v1/watch', { exposeHeadRoute: false }, async (request, reply) => {
    const names = streamQuery(request.query);
    const service = discoveredService(o.ctx, names.namespace, names.service);
    o.hub.admit();
    reply.hijack();
    const res = reply.raw;
    // No chunked encoding: the body ends with the connection, so each event is one plain socket write.
    res.useChunkedEncodingByDefault = false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no', // nginx: pass each event on at once
      // A stream ends only at shutdown or when its service goes: its connection is not worth keeping then.
      connection: 'close',
      'x-amzn-RequestId': request.id,
    });
    res.flushHeaders(); // at once, even when the client is current and nothing follows until a change
    const sink = new StreamSink(res, o.maxBufferBytes, app.log); // not the request's child logger: a stream keeps what it holds
    const close = o.hub.openStream(service.id, lastEventId(request.headers['last-event-id']), sink);
    res.once('close', close);
  });
};

/** A stream's response; a reader that leaves more than `maxBuffer` bytes unsent is dropped. */
class StreamSink implements WatchSink {
  private readonly res: ServerResponse;
  private readonly maxBuffer: number;
  private readonly log: Log;

  constructor(res: ServerResponse, maxBuffer: number, log: Log) {
    this.res = res;
    this.maxBuffer = maxBuffer;
    this.log = log;
  }

  write(bytes: Buffer): void {
    if (this.res.destroyed) return;
    if (this.res.writableLength > this.maxBuffer) {
      this.log.debug({ unsent: this.res.writableLength }, 'watch stream closed: its reader fell behind (--watch-max-buffer)');
      this.res.destroy();
      return;
    }
    this.res.write(bytes);
  }

  end(): void {
    if (!this.res.destroyed) this.res.end();
  }
}

/** The last id the client saw (EventSource sends it when it reconnects); anything else is no id. */
function lastEventId(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

type Query = Record<string, unknown>;

/** Each parameter once, as a string: a repeated one is refused rather than guessed at. */
function single(query: unknown): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries((query ?? {}) as Query)) {
    if (typeof value !== 'string') throw new InvalidInput(`Query parameter ${clip(key)} is given more than once`);
    out.push([key, value]);
  }
  return out;
}

function wholeNumber(key: string, raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new InvalidInput(`Query parameter ${key} must be a whole number, not '${clip(raw)}'`);
  return Number(raw);
}

interface BlockingQuery {
  input: DiscoverInstancesRequest;
  revision: number | undefined;
  waitMs: number;
}

/** revision, wait, health, max, query.KEY and optional.KEY, checked as DiscoverInstances checks its input. */
function blockingQuery(params: { namespace: string; service: string }, query: unknown, maxWaitMs: number): BlockingQuery {
  const candidate: Record<string, unknown> = { NamespaceName: params.namespace, ServiceName: params.service };
  const wanted: [string, string][] = [];
  const optional: [string, string][] = [];
  let revision: number | undefined;
  let waitMs = maxWaitMs;
  for (const [key, raw] of single(query)) {
    if (key.startsWith('query.')) wanted.push([key.slice('query.'.length), raw]);
    else if (key.startsWith('optional.')) optional.push([key.slice('optional.'.length), raw]);
    else if (key === 'revision') revision = wholeNumber(key, raw);
    else if (key === 'max') candidate.MaxResults = wholeNumber(key, raw);
    else if (key === 'health') candidate.HealthStatus = raw;
    else if (key === 'wait') waitMs = Math.min(waitOf(raw), maxWaitMs);
    else throw new InvalidInput(`Unknown query parameter ${clip(key)}: expected revision, wait, health, max, query.KEY or optional.KEY`);
  }
  if (wanted.length > 0) candidate.QueryParameters = Object.fromEntries(wanted);
  if (optional.length > 0) candidate.OptionalParameters = Object.fromEntries(optional);
  return { input: discoverSchema.parse(candidate), revision, waitMs };
}

function waitOf(raw: string): number {
  const ms = parseDuration(raw);
  if (ms === undefined)
    throw new InvalidInput(`Query parameter wait must be a duration with a unit, e.g. 30s or 500ms, not '${clip(raw)}'`);
  return ms;
}

/** namespace and service, nothing else. */
function streamQuery(query: unknown): { namespace: string; service: string } {
  const found: Record<string, string> = {};
  for (const [key, raw] of single(query)) {
    if (key !== 'namespace' && key !== 'service')
      throw new InvalidInput(`Unknown query parameter ${clip(key)}: expected namespace and service`);
    found[key] = raw;
  }
  const { namespace, service } = found;
  if (namespace === undefined || service === undefined) throw new InvalidInput('Query parameters namespace and service are required');
  // The same checks as DiscoverInstances' NamespaceName and ServiceName.
  const input = discoverSchema.parse({ NamespaceName: namespace, ServiceName: service });
  return { namespace: input.NamespaceName, service: input.ServiceName };
}
