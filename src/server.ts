// Assembles a cairn replica from its configuration, the only place that wires the parts together: store,
// catalog and its follower, registry, HTTP API, DNS and health checks; the catalog's listeners (DNS
// index, discovery cache, health targets, watches) are subscribed here; and it stops the parts in order.
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from './config.ts';
import { createLogger } from './logger.ts';
import { ListenError } from './model/listen-error.ts';
import { Catalog, CatalogFollower, registerCatalogMetrics } from './catalog/index.ts';
import { realTimers, type Timers } from './model/timers.ts';
import { createRegistry, HealthHistory, WatchHub, type RegistryContext } from './registry/index.ts';
import pkg from '../package.json' with { type: 'json' };
import { openStore, registerStoreMetrics, type Store } from './store/index.ts';
import {
  bindApi,
  buildApi,
  discoveryRateLimit,
  drainApi,
  exposureWarning,
  listenMetrics,
  sigv4Verifier,
  type MetricsListener,
  type Phase,
} from './api/index.ts';
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
  /** The replica's metric families (GET /metrics shows them with the process's). */
  metrics: Registry;
  /** Where the separate /metrics listener listens (--metrics-port), when there is one. */
  metricsAddress: { host: string; port: number } | undefined;
  /** Open watch streams and blocking queries. */
  watches: WatchHub;
  stop(): Promise<void>;
}

export interface ServerHooks {
  log?: Logger;
  /** The registry's clock: timestamps, operation retention, the custom health window (a test's own). */
  timers?: Timers;
  /** The clock of the health checks' probes and heartbeats (a test's own; the real one otherwise). */
  healthTimers?: Timers;
  /** Awaited with the API bound and before the catalog loads (a test holds the start there). */
  beforeLoad?: () => Promise<void>;
}

/** A start that cannot go on, in one line for the operator (main prints it as it is). */
export class StartError extends Error {}

export async function startServer(config: Config, hooks: ServerHooks = {}): Promise<Server> {
  const log = hooks.log ?? createLogger(config.logLevel, config.logFormat);
  const replicaId = config.replicaId ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const store = await openStore({
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    redisTimeoutMs: config.redisTimeout,
    redisWaitReplicas: config.redisWaitReplicas,
    log: log.child({ part: 'store' }),
  });
  if (store.kind === 'memory') {
    log.warn('no --redis-url: using the embedded in-memory store; nothing survives a restart');
  }
  const catalog = new Catalog();
  const follower = new CatalogFollower(store, catalog, log);
  // Each part registers its own families here; GET /metrics shows them with the process's.
  const metrics = new Registry();
  const metricsText = (): Promise<string> => Registry.merge([processMetrics(), metrics]).metrics();
  registerCatalogMetrics(metrics, catalog);
  registerStoreMetrics(metrics, store, () => catalog.revision);

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
  const watches = new WatchHub({
    maxWatches: config.watchMax,
    historyBytes: config.watchHistory,
    heartbeatMs: config.watchHeartbeat,
    timers,
  });
  unsubscribe.push(catalog.subscribe(watches));
  // The console's health timeline: flips this replica sees from now on.
  const healthHistory = new HealthHistory(config.consoleHealthHistory);
  unsubscribe.push(catalog.subscribe(healthHistory));

  let phase: Phase = 'starting';
  const authenticate =
    config.credentials.length > 0 ? sigv4Verifier({ credentials: config.credentials, maxSkewMs: config.sigv4MaxSkew }) : undefined;
  const http = {
    requestTimeoutMs: config.apiRequestTimeout,
    headersTimeoutMs: config.apiHeadersTimeout,
    keepAliveTimeoutMs: config.apiKeepAliveTimeout,
    maxConnections: config.apiMaxConnections,
  };
  let health: HealthChecks | undefined;
  const api = buildApi({
    ctx,
    logger: log.child({ part: 'api' }),
    readiness: { phase: () => phase, store: () => store.reachability(), revision: () => catalog.revision },
    http,
    metrics,
    // With a listener of its own, /metrics leaves the API port.
    ...(config.metricsPort === undefined ? { metricsText } : {}),
    watch: { hub: watches, maxWaitMs: config.watchMaxWait, maxBufferBytes: config.watchMaxBuffer },
    // The health checks start after the API binds: until then nobody is known to probe anything.
    console: { history: healthHistory, probedBy: (s, i) => health?.probedBy(s, i), replicaId, version: pkg.version },
    ...(authenticate ? { authenticate } : {}),
    ...(config.discoverRateLimit > 0 ? { admit: discoveryRateLimit(config.discoverRateLimit) } : {}),
  });

  // Every listener is bound before anything says it serves; a failed start closes what it opened.
  let dns: DnsServer | undefined;
  let metricsListener: MetricsListener | undefined;
  let apiAddress: { host: string; port: number };
  try {
    // The API first, so /healthz and /readyz answer while the catalog loads (writes wait for it).
    apiAddress = await bindApi(api, config.apiHost, config.apiPort).catch(naming('--api-port', '--api-host'));
    await hooks.beforeLoad?.();
    const started = Date.now();
    await follower.start();
    log.info({ revision: catalog.revision, ms: Date.now() - started, store: store.kind }, 'catalog loaded');

    // DNS: answers from its index of the catalog only.
    const dnsLog = log.child({ part: 'dns' });
    const dnsOptions = { ...dnsOptionsOf(config), metrics };
    const dnsIndex = new DnsIndex(dnsOptions, dnsLog);
    unsubscribe.push(catalog.subscribe(dnsIndex));
    dns = await startDns(dnsOptions, dnsIndex, dnsLog).catch(naming('--dns-port', '--dns-host'));

    // Health checks: probes run on their own timers (never in a request) and flip through the writer.
    health = await startHealthChecks({
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
      metrics,
    });
    unsubscribe.push(catalog.subscribe(health));

    if (config.metricsPort !== undefined) {
      metricsListener = await listenMetrics({
        host: config.metricsHost,
        port: config.metricsPort,
        text: metricsText,
        http,
        logger: log.child({ part: 'metrics' }),
      }).catch(naming('--metrics-port', '--metrics-host'));
    }
  } catch (e) {
    await api.close();
    await dns?.stop();
    await health?.stop();
    for (const u of unsubscribe) u();
    follower.close();
    await store.close();
    throw e;
  }

  phase = 'serving';
  const exposed = exposureWarning(config.apiHost, apiAddress.port, authenticate !== undefined);
  if (exposed) log.warn(exposed);
  else if (!authenticate)
    log.info('no --credentials: API requests are accepted without verifying signatures (the API listens on loopback only)');
  log.info(
    {
      api: `${apiAddress.host}:${apiAddress.port}`,
      dns: `${dns.address.host}:${dns.address.port}`,
      udpIo: dns.udpIo,
      replica: replicaId,
      ...(metricsListener ? { metrics: `${metricsListener.address.host}:${metricsListener.address.port}` } : {}),
    },
    'cairn is serving',
  );

  const running = { dns, health };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Out of the load balancer and out of the health-check share at once; then the API drains while
      // DNS goes on answering, and DNS stops last.
      phase = 'draining';
      const started = Date.now();
      const healthStopped = running.health.stop(); // stops its heartbeats first, so leaving sticks
      const left = store.leave(replicaId).catch(() => undefined);
      const { cut } = await drainApi(api, config.drainTimeout);
      await metricsListener?.close();
      await running.dns.stop();
      for (const u of unsubscribe) u();
      await healthStopped; // before the store closes: its flips in flight are writes
      await left;
      follower.close();
      await store.close();
      log.info({ ms: Date.now() - started, cut }, cut ? 'stopped; API requests still open at --drain-timeout were cut' : 'stopped');
    })();
    return stopping;
  };
  return {
    config,
    log,
    store,
    catalog,
    ctx,
    api,
    replicaId,
    apiAddress,
    health,
    dns,
    dnsAddress: dns.address,
    metrics,
    metricsAddress: metricsListener?.address,
    watches,
    stop,
  };
}

/** Process and Node metrics are the process's, not a replica's (tests run several in one): collected once. */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A bind failure in one line naming the address and the flags that choose it. */
function naming(portFlag: string, hostFlag: string): (e: unknown) => never {
  return (e) => {
    if (e instanceof ListenError) throw new StartError(`${e.message}; choose another ${portFlag} or ${hostFlag}`);
    throw e;
  };
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
