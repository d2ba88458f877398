// Assembles a cairn replica from its configuration: store, catalog and feed, registry, HTTP API (and the
// DNS server and health checks), and stops them in order.
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';
import { Catalog } from './catalog/catalog.ts';
import { CatalogFollower } from './catalog/follow.ts';
import { idGenerator } from './model/ids.ts';
import { defaultLimits, type RegistryContext } from './registry/context.ts';
import { Writer } from './registry/writer.ts';
import { openStore, type Store } from './store/index.ts';
import { buildApi } from './api/app.ts';
import { sigv4Verifier } from './api/sigv4.ts';

export interface Server {
  config: Config;
  log: Logger;
  store: Store;
  catalog: Catalog;
  ctx: RegistryContext;
  api: FastifyInstance;
  replicaId: string;
  /** Where the API listens (resolved when the port was 0). */
  apiAddress: { host: string; port: number };
  stop(): Promise<void>;
}

export interface ServerHooks {
  log?: Logger;
}

export async function startServer(config: Config, hooks: ServerHooks = {}): Promise<Server> {
  const log = hooks.log ?? pino({ level: config.logLevel, base: { app: 'cairn' } });
  const replicaId = config.replicaId ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const store = await openStore({ redisUrl: config.redisUrl, redisPrefix: config.redisPrefix });
  if (store.kind === 'memory') {
    log.warn('no --redis-url: using the embedded in-memory store; nothing survives a restart');
  }
  const catalog = new Catalog();
  const follower = new CatalogFollower(store, catalog, log);
  const started = Date.now();
  await follower.start();
  log.info({ revision: catalog.revision, ms: Date.now() - started, store: store.kind }, 'catalog loaded');

  const writer = new Writer(store, catalog, follower);
  const ctx: RegistryContext = {
    catalog,
    writer,
    account: { region: config.region, accountId: config.accountId },
    ids: idGenerator(),
    now: Date.now,
    limits: {
      ...defaultLimits,
      maxNamespaces: config.maxNamespaces,
      maxInstancesPerNamespace: config.maxInstancesPerNamespace,
      maxInstancesPerService: config.maxInstancesPerService,
    },
    defaultSoaTtl: config.dnsDefaultSoaTtl,
    customHealthDelayMs: config.customHealthDelay,
    random: Math.random,
  };

  let ready = false;
  const authenticate = config.credentials.length > 0
    ? sigv4Verifier({ credentials: config.credentials, maxSkewMs: config.sigv4MaxSkew })
    : undefined;
  if (!authenticate) log.info('no --credentials: API requests are accepted without verifying signatures');
  const api = buildApi({ ctx, logger: log.child({ part: 'api' }), ready: () => ready, ...(authenticate ? { authenticate } : {}) });
  await api.listen({ host: config.apiHost, port: config.apiPort });
  const addr = api.server.address();
  const apiAddress = typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : { host: config.apiHost, port: config.apiPort };
  ready = true;
  log.info({ api: `${apiAddress.host}:${apiAddress.port}`, replica: replicaId }, 'cairn is serving');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      ready = false;
      await api.close();
      follower.close();
      await store.leave(replicaId).catch(() => undefined);
      await store.close();
    })();
    return stopping;
  };
  return { config, log, store, catalog, ctx, api, replicaId, apiAddress, stop };
}
