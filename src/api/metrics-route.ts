// GET /metrics: the replica's metrics in Prometheus text, unsigned like /healthz, on the API port or on a
// listener of its own (metrics-listener.ts). Scrapes that arrive together share one rendering.
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';

/** The metrics' text, rendered once for every scrape waiting on it. */
export type MetricsText = () => Promise<string>;

export function metricsRoute(app: FastifyInstance, text: MetricsText): void {
  let rendering: Promise<string> | undefined;
  app.get('/metrics', async (_request, reply) => {
    rendering ??= text().finally(() => {
      rendering = undefined;
    });
    const body = await rendering;
    return reply.type(Registry.PROMETHEUS_CONTENT_TYPE).send(body);
  });
}
