// The listener of its own for GET /metrics (--metrics-host, --metrics-port), for those who keep metrics
// off the API's address: it serves nothing else, under the API's time and connection bounds.
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { capConnections, httpServerOptions, type HttpBounds } from './http-bounds.ts';
import { metricsRoute, type MetricsText } from './metrics-route.ts';
import { bindApi } from './lifetime.ts';

export interface MetricsListenerOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  text: MetricsText;
  http: HttpBounds;
  logger: FastifyBaseLogger;
}

export interface MetricsListener {
  /** Where it listens (the port resolved when 0 was asked for). */
  address: { host: string; port: number };
  close(): Promise<void>;
}

export async function listenMetrics(o: MetricsListenerOptions): Promise<MetricsListener> {
  const app = Fastify({
    loggerInstance: o.logger,
    ...httpServerOptions(o.http),
    logController: new LogController({ disableRequestLogging: true }),
  });
  capConnections(app.server, o.http.maxConnections, app.log);
  metricsRoute(app, o.text);
  try {
    return { address: await bindApi(app, o.host, o.port), close: () => app.close() };
  } catch (e) {
    await app.close();
    throw e;
  }
}
