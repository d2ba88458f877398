// The web console's routes: its files under /ui, and the little it needs that the Cloud Map API does not
// give — whether to ask for credentials (GET /v1/console/about, unsigned) and, per instance, when its
// health last flipped, which replica probes it and the flips this replica has seen
// (GET /v1/console/services/{serviceId}/instances, signed like every API call when --credentials is set).
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { hasHealth, type EffectiveHealth, type InstanceRecord, type ServiceRecord } from '../model/records.ts';
import { ServiceNotFound } from '../model/errors.ts';
import type { HealthPoint, RegistryContext } from '../registry/index.ts';
import { loadConsoleFiles, serveConsoleFiles } from './console-files.ts';

export interface ConsoleOptions {
  /** Health flips seen by this replica, per instance. */
  history: { of(serviceId: string, instanceId: string): HealthPoint[] };
  /** The replica that probes an instance (undefined when no replica probes it: custom or no health check). */
  probedBy: (serviceId: string, instanceId: string) => string | undefined;
  replicaId: string;
  version: string;
  /** Folder of the built console; when it holds no index.html, /ui says how to build it. */
  uiDir?: string;
}

export interface ConsoleRouteOptions extends ConsoleOptions {
  ctx: RegistryContext;
  authenticate?: (request: { method: string; url: string; rawHeaders: string[]; body: Buffer }) => Promise<void> | void;
}

/** One instance as the console shows it beside what ListInstances gives. */
export interface ConsoleInstance {
  instanceId: string;
  health: EffectiveHealth;
  /** epoch ms the current status began (null without health tracking) */
  since: number | null;
  /** 'probe' (HealthCheckConfig), 'custom' (HealthCheckCustomConfig) or 'none' */
  check: 'probe' | 'custom' | 'none';
  probedBy: string | null;
  /** oldest first; the flips this replica has seen, or the current status alone */
  timeline: HealthPoint[];
}

const EMPTY = Buffer.alloc(0);
const defaultUiDir = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

export async function consoleRoutes(app: FastifyInstance, options: ConsoleRouteOptions): Promise<void> {
  serveConsoleFiles(app, loadConsoleFiles(options.uiDir ?? defaultUiDir));

  app.get('/v1/console/about', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({
      auth: options.authenticate !== undefined,
      replica: options.replicaId,
      version: options.version,
    }),
  );

  // A refusal or a missing service reaches the app's error handler, which answers in the AWS shape.
  app.get<{ Params: { serviceId: string } }>('/v1/console/services/:serviceId/instances', async (request, reply) => {
    await options.authenticate?.({ method: request.method, url: request.url, rawHeaders: request.raw.rawHeaders, body: EMPTY });
    const catalog = options.ctx.catalog;
    const service = catalog.service(request.params.serviceId);
    if (!service) throw new ServiceNotFound(request.params.serviceId.slice(0, 64));
    const rows = [...catalog.instancesOf(service.id).values()].map((i) => consoleInstance(options, service, i));
    return reply.header('cache-control', 'no-store').send({ instances: rows });
  });
}

function consoleInstance(options: ConsoleRouteOptions, service: ServiceRecord, instance: InstanceRecord): ConsoleInstance {
  const catalog = options.ctx.catalog;
  const check = service.healthCheckConfig ? 'probe' : service.healthCheckCustomConfig ? 'custom' : 'none';
  const health = catalog.healthOf(service, instance.id);
  if (!hasHealth(service)) return { instanceId: instance.id, health, since: null, check, probedBy: null, timeline: [] };
  // No stored status yet: healthy since it was registered (docs/cloud-map-api.md).
  const since = catalog.health(service.id, instance.id)?.since ?? instance.createDate;
  const seen = options.history.of(service.id, instance.id);
  const timeline = seen.length > 0 ? seen : [{ status: health === 'UNHEALTHY' ? ('UNHEALTHY' as const) : ('HEALTHY' as const), at: since }];
  return { instanceId: instance.id, health, since, check, probedBy: options.probedBy(service.id, instance.id) ?? null, timeline };
}
