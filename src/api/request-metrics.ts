// Counts API requests by operation and status, and times them: the operation is the X-Amz-Target's when
// it names one of the model's, the route for the other routes, and `unknown` for anything else, so a
// client can never add a label value.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { operationOfTarget } from './dispatch.ts';

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function countRequests(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'cairn_api_requests_total',
    help: 'API requests answered, by operation (the X-Amz-Target operation, the route such as /healthz, or unknown) and HTTP status code',
    labelNames: ['operation', 'code'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'cairn_api_request_seconds',
    help: 'Time from receiving an API request to sending its response, by operation',
    labelNames: ['operation'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  // The label values are bounded (operations, routes, status codes): their children are kept.
  const counted = new Map<string, Counter.Internal>();
  const timed = new Map<string, Histogram.Internal<'operation'>>();
  app.addHook('onResponse', (request, reply, done) => {
    const operation = operationLabel(request);
    const code = reply.statusCode;
    const key = `${operation} ${code}`;
    let c = counted.get(key);
    if (!c) counted.set(key, (c = requests.labels(operation, String(code))));
    c.inc();
    let h = timed.get(operation);
    if (!h) timed.set(operation, (h = seconds.labels(operation)));
    h.observe(reply.elapsedTime / 1000);
    done();
  });
}

function operationLabel(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route === undefined) return 'unknown';
  if (route !== '/') return route;
  const target = request.headers['x-amz-target'];
  return (typeof target === 'string' ? operationOfTarget(target)?.name : undefined) ?? 'unknown';
}
