// Assembles a cairn replica from its configuration, the only place that wires the parts together: store,
// catalog and its follower, registry, HTTP API, DNS and health checks; the catalog's listeners (DNS
// index, discovery cache, health targets) are subscribed here; and it stops the parts in order.
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';
import { Catalog, CatalogFollower } from './catalog/index.ts';
import { realTimers, type Timers } from './model/timers.ts';
import { createRegistry, HealthHistory, type RegistryContext } from './registry/index.ts';
import pkg from '../package.json' with { type: 'json' };
import { openStore, type Store } from './store/index.ts';
import { buildApi, discoveryRateLimit, exposureWarning, sigv4Verifier } from './api/index.ts';
import { startHealthChecks, type HealthChecks } from './health/index.ts';
import { DnsIndex, startDns, type DnsOptions, type DnsServer } from './dns/index.ts';

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
  /** Active health checks (HealthCheckConfig) of this replica. */
  health: HealthChecks;
  /** The authoritative DNS server (answers from the catalog). */
  dns: DnsServer;
  /** Where DNS listens, UDP and TCP on one port (resolved when the port was 0). */
  dnsAddress: { host: string; port: number };
  stop(): Promise<void>;
}

export interface ServerHooks {
  log?: Logger;
  /** The registry's clock: timestamps, operation retention, the custom health window (a test's own). */
  timers?: Timers;
  /** The clock of the health checks' probes and heartbeats (a test's own; the real one otherwise). */
  healthTimers?: Timers;
}

export async function startServer(config: Config, hooks: ServerHooks = {}): Promise<Server> {
  const log = hooks.log ?? pino({ level: config.logLevel, base: { app: 'cairn' } });
  const replicaId = config.replicaId ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const store = await openStore({
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    redisTimeoutMs: config.redisTimeout,
    log: log.child({ part: 'store' }),
  });
  if (store.kind === 'memory') {
    log.warn('no --redis-url: using the embedded in-memory store; nothing survives a restart');
  }
  const catalog = new Catalog();
  const follower = new CatalogFollower(store, catalog, log);
  const started = Date.now();
  await follower.start();
  log.info({ revision: catalog.revision, ms: Date.now() - started, store: store.kind }, 'catalog loaded');

  const timers = hooks.timers ?? realTimers;
  const ctx = createRegistry({
    store,
    catalog,
    catchUp: () => follower.catchUp(),
    account: { region: config.region, accountId: config.accountId },
    limits: {
      maxNamespaces: config.maxNamespaces,
      maxInstancesPerNamespace: config.maxInstancesPerNamespace,
      maxInstancesPerService: config.maxInstancesPerService,
    },
    defaultSoaTtl: config.dnsDefaultSoaTtl,
    customHealthDelayMs: config.customHealthDelay,
    vpcs: config.vpc.map((v) => v.id),
    operationRetentionMs: config.operationRetention,
    timers,
  });
  // Every listener hears of a change before the write that made it returns (read-your-writes).
  const unsubscribe: (() => void)[] = [catalog.subscribe(ctx.discovery)];
  // The console's health timeline: flips this replica sees from now on.
  const healthHistory = new HealthHistory(config.consoleHealthHistory);
  unsubscribe.push(catalog.subscribe(healthHistory));
  let checks: HealthChecks | undefined; // started once the API listens; the console asks them who probes what

  let ready = false;
  const authenticate =
    config.credentials.length > 0 ? sigv4Verifier({ credentials: config.credentials, maxSkewMs: config.sigv4MaxSkew }) : undefined;
  const http = {
    requestTimeoutMs: config.apiRequestTimeout,
    headersTimeoutMs: config.apiHeadersTimeout,
    keepAliveTimeoutMs: config.apiKeepAliveTimeout,
    maxConnections: config.apiMaxConnections,
  };
  const api = buildApi({
    ctx,
    logger: log.child({ part: 'api' }),
    ready: () => ready,
    http,
    ...(authenticate ? { authenticate } : {}),
    ...(config.discoverRateLimit > 0 ? { admit: discoveryRateLimit(config.discoverRateLimit) } : {}),
    console: { history: healthHistory, probedBy: (s, i) => checks?.probedBy(s, i), replicaId, version: pkg.version },
  });
  await api.listen({ host: config.apiHost, port: config.apiPort });
  const addr = api.server.address();
  const apiAddress =
    typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : { host: config.apiHost, port: config.apiPort };
  const exposed = exposureWarning(config.apiHost, apiAddress.port, authenticate !== undefined);
  if (exposed) log.warn(exposed);
  else if (!authenticate)
    log.info('no --credentials: API requests are accepted without verifying signatures (the API listens on loopback only)');
  // Health checks: probes run on their own timers (never in a request) and flip through the writer.
  const health = await startHealthChecks({
    catalog,
    writer: ctx.writer,
    store,
    replicaId,
    now: ctx.now,
    log: log.child({ part: 'health' }),
    intervalMs: config.healthCheckInterval,
    timeoutMs: config.healthCheckTimeout,
    concurrency: config.healthCheckConcurrency,
    timers: hooks.healthTimers,
  });
  unsubscribe.push(catalog.subscribe(health));
  checks = health;

  // DNS: answers from its index of the catalog only.
  const dnsLog = log.child({ part: 'dns' });
  const dnsOptions = dnsOptionsOf(config);
  const dnsIndex = new DnsIndex(dnsOptions, dnsLog);
  unsubscribe.push(catalog.subscribe(dnsIndex));
  const dns = await startDns(dnsOptions, dnsIndex, dnsLog);

  ready = true;
  log.info({ api: `${apiAddress.host}:${apiAddress.port}`, replica: replicaId }, 'cairn is serving');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      ready = false;
      await api.close();
      await dns.stop();
      for (const u of unsubscribe) u();
      await health.stop(); // before the store closes: its flips in flight are writes
      follower.close();
      await store.leave(replicaId).catch(() => undefined);
      await store.close();
    })();
    return stopping;
  };
  return { config, log, store, catalog, ctx, api, replicaId, apiAddress, health, dns, dnsAddress: dns.address, stop };
}

/** The DNS server's own options, from the configuration. */
function dnsOptionsOf(config: Config): DnsOptions {
  return {
    host: config.dnsHost,
    port: config.dnsPort,
    udpIo: config.dnsUdpIo,
    maxUdpPayload: config.dnsMaxUdpPayload,
    tcp: { idleTimeoutMs: config.dnsTcpIdleTimeout, maxConnections: config.dnsTcpMaxConnections, maxPending: config.dnsTcpMaxPending },
    vpcs: config.vpc,
    recursionCidrs: config.recursionCidr,
    upstreams: config.upstream,
    upstreamTimeoutMs: config.upstreamTimeout,
    upstreamMaxInflight: config.upstreamMaxInflight,
    apex: {
      defaultSoaTtl: config.dnsDefaultSoaTtl,
      nsNames: config.dnsNsNames,
      nsAddresses: config.dnsNsAddresses ?? [],
      soaRname: config.dnsSoaRname,
      nsTtl: config.dnsNsTtl,
    },
  };
}
