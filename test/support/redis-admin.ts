// A plain ioredis client on whatever the run's Redis is (standalone, Sentinel or Cluster), for tests that
// look at or tamper with the keys behind cairn's back.
import { Cluster, Redis } from 'ioredis';
import { parseRedisTarget } from '../../src/model/redis-url.ts';

export type AdminClient = Redis | Cluster;

export function adminClient(url: string): AdminClient {
  const target = parseRedisTarget(url);
  if (target.kind === 'standalone') return new Redis(url);
  if (target.kind === 'sentinel') return new Redis({ sentinels: target.sentinels, name: target.name });
  return new Cluster(target.nodes, { scaleReads: 'master' });
}

/** Runs `call` on every master (one for standalone and Sentinel): ACLs and KEYS are per server. */
export async function onEveryMaster<T>(client: AdminClient, call: (node: Redis) => Promise<T>): Promise<T[]> {
  if (!(client instanceof Cluster)) return [await call(client)];
  if (client.status !== 'ready') await new Promise((r) => client.once('ready', r));
  return Promise.all(client.nodes('master').map(call));
}

export async function keysMatching(client: AdminClient, pattern: string): Promise<string[]> {
  return (await onEveryMaster(client, (node) => node.keys(pattern))).flat();
}

/** The URL with a user and password, whatever its form. */
export function withUser(url: string, user: string, password: string): string {
  const credentials = `${encodeURIComponent(user)}:${encodeURIComponent(password)}@`;
  return url.replace(/^([a-z+]+:\/\/)(?:[^@/]*@)?/, `$1${credentials}`);
}
