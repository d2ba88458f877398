// Counts API requests by operation and status, and times them: the operation is the X-Amz-Target's when
// it names one of the model's, the route for the other routes, and `unknown` for anything else, so a
// client can never add a label value. Counted in plain numbers read when scraped: DiscoverInstances is a
// hot path, and prom-client looks its labels up again on every observation.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { Buckets, registerBucketedHistogram } from '../model/bucketed-histogram.ts';
import { operationOfTarget } from './dispatch.ts';

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One operation's requests by HTTP status, and their times in seconds. */
interface OperationCounts {
  byCode: Map<number, number>;
  seconds: Buckets;
}

export function countRequests(app: FastifyInstance, registry: Registry): void {
  // The label values are bounded (operations, routes, status codes).
  const operations = new Map<string, OperationCounts>();
  new Counter({
    name: 'cairn_api_requests_total',
    help: 'API requests answered, by operation (the X-Amz-Target operation, the route such as /healthz, or unknown) and HTTP status code',
    labelNames: ['operation', 'code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [operation, { byCode }] of operations) for (const [code, n] of byCode) this.inc({ operation, code: String(code) }, n);
    },
  });
  registerBucketedHistogram(registry, {
    name: 'cairn_api_request_seconds',
    help: 'Time from receiving an API request to sending its response, by operation',
    read: () => [...operations].map(([operation, { seconds }]) => [{ operation }, seconds]),
  });
  app.addHook('onResponse', (request, reply, done) => {
    const operation = operationLabel(request);
    let counts = operations.get(operation);
    if (!counts) operations.set(operation, (counts = { byCode: new Map(), seconds: new Buckets(SECONDS_BUCKETS) }));
    const code = reply.statusCode;
    counts.byCode.set(code, (counts.byCode.get(code) ?? 0) + 1);
    counts.seconds.observe(reply.elapsedTime / 1000);
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
