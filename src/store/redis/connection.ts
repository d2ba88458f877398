// Turns a cairn Redis URL into ioredis clients (standalone, Sentinel or Cluster) tuned to fail fast. A
// command never waits in an offline queue and is never resent: when Redis is away it is rejected at once,
// so a write answers ServiceUnavailable instead of hanging, while the client reconnects in the background.
import { inspect } from 'node:util';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ServiceUnavailable } from '../../model/errors.ts';
import { redactSecrets } from '../../model/redact.ts';
import { InvalidRedisUrl, parseRedisTarget as parse, type RedisTarget } from '../../model/redis-url.ts';

export type { RedisTarget };

/** A client of any deployment: both speak the same commands; a Cluster routes each by its keys' slot. */
export type RedisClient = Redis | Cluster;

/** The target a URL describes; ServiceUnavailable (never the URL's password) when it describes none. */
export function parseRedisTarget(url: string): RedisTarget {
  try {
    return parse(url);
  } catch (e) {
    if (e instanceof InvalidRedisUrl)
      throw new ServiceUnavailable(`Not a Redis URL this store understands: ${redact(url)} (expected ${e.message})`);
    throw e;
  }
}

/** The URL with its password masked, for logs and errors. */
export const redact = (url: string): string => redactSecrets(url);

export interface Timing {
  /** Time allowed to open a TCP connection. */
  connectTimeoutMs: number;
  /** A connection that owes a reply and receives nothing for this long is dropped (half-open networks). */
  socketTimeoutMs: number;
}

/** How long to wait before the next attempt to (re)connect: forever, with a short back-off. */
const backOff = (attempts: number): number => Math.min(100 * attempts, 1000);

/** Options shared by every connection: no offline queue, no resending, reconnect forever with a short back-off. */
function failFastOptions(timing: Timing): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    ...nodeOptions(timing),
    retryStrategy: backOff,
  };
}

/** What each connection to one Redis server uses, whatever the deployment. */
function nodeOptions(timing: Timing): RedisOptions {
  return {
    // 0: commands in flight when the connection drops are rejected at once, never resent after a reconnect
    // (a commit is conditional anyway; the writer answers 503 and the client retries).
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: timing.connectTimeoutMs,
    socketTimeout: timing.socketTimeoutMs,
  };
}

/** A new, not yet connected client for the URL (ServiceUnavailable when it is not one). */
export function createClient(url: string, timing: Timing): RedisClient {
  const target = parseRedisTarget(url);
  if (target.kind === 'standalone') return hideSecrets(new Redis(target.url, failFastOptions(timing)), url);
  if (target.kind === 'sentinel') return hideSecrets(sentinelClient(target, timing), url);
  return hideSecrets(clusterClient(target, timing), url);
}

function sentinelClient(target: RedisTarget & { kind: 'sentinel' }, timing: Timing): Redis {
  const { sentinels, name, username, password, db } = target;
  return new Redis({
    ...failFastOptions(timing),
    sentinels,
    name,
    username,
    password,
    db,
    sentinelRetryStrategy: backOff,
    // Sentinel announces a failover (+switch-master): the client drops the old master at once and asks for
    // the new one, instead of writing on to a master that is about to be demoted and lose those writes.
    failoverDetector: true,
    // A demoted master answers writes with READONLY: reconnect (through Sentinel) without resending.
    reconnectOnError: (e) => (e.message.startsWith('READONLY') ? 1 : false),
  });
}

function clusterClient(target: RedisTarget & { kind: 'cluster' }, timing: Timing): Cluster {
  const { nodes, username, password } = target;
  const cluster = new Cluster(nodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    scaleReads: 'master',
    clusterRetryStrategy: backOff,
    slotsRefreshTimeout: timing.connectTimeoutMs,
    // ioredis resends a command whose connection closed under it after this delay: a commit may already
    // have been carried out, so it is never resent (0); the writer answers WriteOutcomeUnknown instead.
    retryDelayOnFailover: 0,
    // CLUSTERDOWN (the slot has no master): answered at once rather than retried for seconds.
    retryDelayOnClusterDown: 0,
    // MOVED and ASK (a slot migrating or taken over) and TRYAGAIN are followed: the command was not
    // carried out where it was refused.
    redisOptions: { ...nodeOptions(timing), username, password },
  });
  return keepNodesOpen(cluster);
}

/**
 * With no offline queue ioredis refuses a command for a node whose connection is still opening, and an ASK
 * redirection (a slot migrating) to such a node leaves a rejected promise nobody handles, which would end
 * the process. So the connections to every master are opened as soon as the Cluster is ready and whenever
 * it learns its nodes anew, not on first use. (Not before it is ready: its own ready check would find
 * its node still connecting.)
 */
function keepNodesOpen(cluster: Cluster): Cluster {
  const open = (): void => {
    if (cluster.status !== 'ready') return;
    for (const node of cluster.nodes('master')) if (node.status === 'wait') node.connect().catch(() => undefined);
  };
  cluster.on('ready', open);
  cluster.on('refresh', open);
  cluster.on('+node', answerAsking);
  return cluster;
}

/**
 * On an ASK redirection ioredis sends ASKING to the new node and drops that command's promise. When the
 * answer never comes (the node frozen past the command timeout, or the connection closed under it) the
 * rejection is unhandled and would end the process; the redirected command itself fails as it should.
 * So every node's ASKING has a handler. (Seen in a slot migration test: `Connection is closed.`)
 */
function answerAsking(node: Redis): void {
  const asking = node.asking.bind(node);
  node.asking = (...args: Parameters<typeof asking>) => {
    const sent = asking(...args);
    sent.catch(() => undefined);
    return sent;
  };
}

/**
 * Resolves when the client is ready and, on a Cluster, the connection to every master too, with the
 * Cluster slot of `key`, which every key of a registry shares (undefined for one server).
 */
export async function connected(client: RedisClient, key: string, ms: number): Promise<number | undefined> {
  await whenReady(client, ms);
  if (!(client instanceof Cluster)) return undefined;
  await Promise.all(client.nodes('master').map((node) => whenReady(node, ms)));
  return Number(await client.cluster('KEYSLOT', key));
}

/** Another client to the same target for a blocking reader: no socket timeout, a command timeout instead. */
export function duplicateForBlocking(client: RedisClient, commandTimeoutMs: number): RedisClient {
  const blocking = { socketTimeout: undefined, commandTimeout: commandTimeoutMs };
  if (client instanceof Cluster)
    return keepNodesOpen(client.duplicate([], { redisOptions: { ...client.options.redisOptions, ...blocking } }));
  return client.duplicate(blocking);
}

/**
 * Whether a command for `slot` can go out now (false: it would be refused unsent, so nothing is written).
 * On a Cluster that needs the connection to the slot's master: it is opened first if it is not yet, and
 * when it was lost the Cluster is asked again where the slot is (a replica may have taken over) for the
 * next command. A slot not known yet is found by redirection.
 */
export async function readyToSend(client: RedisClient, slot: number | undefined, connectMs: number): Promise<boolean> {
  if (client.status !== 'ready') return false;
  if (!(client instanceof Cluster) || slot === undefined || client.slots[slot] === undefined) return true;
  const owner = slotOwner(client, slot);
  if (owner === undefined) {
    client.refreshSlotsCache();
    return false;
  }
  if (owner.status === 'ready') return true;
  return whenReady(owner, connectMs).then(
    () => client.status === 'ready',
    () => false,
  );
}

/**
 * The connection a command for `slot` went over: the client itself for one server, on a Cluster the one
 * to the slot's master as it last learnt it (undefined: not known). WAIT counts that connection's writes.
 */
export function serverFor(client: RedisClient, slot: number | undefined): Redis | undefined {
  return client instanceof Cluster ? slotOwner(client, slot ?? 0) : client;
}

function slotOwner(client: Cluster, slot: number): Redis | undefined {
  const key = client.slots[slot]?.[0];
  return key === undefined ? undefined : client.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === key);
}

/**
 * The client keeps the password in its options; anything that serialises an object reaching the client
 * (a log line, a debugging dump) sees only where Redis is instead.
 */
function hideSecrets<C extends RedisClient>(client: C, where: string): C {
  const shown = redact(where);
  Object.defineProperty(client, 'toJSON', { value: () => ({ redis: shown, status: client.status }) });
  Object.defineProperty(client, inspect.custom, { value: () => `Redis(${shown}, ${client.status})` });
  return client;
}

/** Resolves when the client is ready; rejects after `ms` (the client keeps retrying in the background). */
export function whenReady(client: RedisClient, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(new ServiceUnavailable('The Redis connection was closed'));
  if (client.status === 'wait') client.connect().catch(() => undefined);
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
    };
    const onReady = (): void => {
      done();
      resolve();
    };
    const onEnd = (): void => {
      done();
      reject(new ServiceUnavailable('The Redis connection was closed'));
    };
    const timer = setTimeout(() => {
      done();
      reject(new ServiceUnavailable(`Redis is not reachable (waited ${ms} ms)`));
    }, ms);
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}

/** Closes a client politely, or abruptly when Redis does not answer in time; never hangs. */
export async function closeClient(client: RedisClient, ms = 1000): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    await Promise.race([client.quit().catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);
  }
  client.disconnect();
}
