// What every registry module needs: the catalog to read, the writer, the discovery cache, the account,
// limits, ids and time; and the one place that makes it from plain options.
import type { Catalog } from '../catalog/index.ts';
import { idGenerator, type Account, type IdGenerator } from '../model/ids.ts';
import { realTimers, type Timers } from '../model/timers.ts';
import type { Store } from '../store/index.ts';
import { DiscoveryCache } from './discovery-cache.ts';
import { operationPruner } from './operation-retention.ts';
import { Writer } from './writer.ts';

export interface Limits {
  maxNamespaces: number;
  maxInstancesPerNamespace: number;
  maxInstancesPerService: number;
  maxTagsPerResource: number;
  maxServiceAttributes: number;
  maxCustomAttributes: number;
  maxAttributesLength: number;
}

export const defaultLimits: Limits = {
  maxNamespaces: 50,
  maxInstancesPerNamespace: 2000,
  maxInstancesPerService: 1000,
  maxTagsPerResource: 50,
  maxServiceAttributes: 30,
  maxCustomAttributes: 30,
  maxAttributesLength: 5000,
};

export interface RegistryContext {
  catalog: Catalog;
  writer: Writer;
  /** What DiscoverInstances reads; a catalog listener the server subscribes. */
  discovery: DiscoveryCache;
  account: Account;
  ids: IdGenerator;
  /** epoch milliseconds */
  now: () => number;
  /** For work done later (the custom health window), on the same clock as `now`. */
  timers: Timers;
  limits: Limits;
  /** SOA TTL of a DNS namespace created without Properties. */
  defaultSoaTtl: number;
  /** Delay before a custom health change applies (0: at once). */
  customHealthDelayMs: number;
  /** Random number in [0,1): discovery shuffles with it. */
  random: () => number;
  /** VPC ids configured with --vpc: CreatePrivateDnsNamespace accepts only these. */
  vpcs: ReadonlySet<string>;
  /** Operations older than this (ms) are no longer returned and are pruned by later writes. */
  operationRetentionMs: number;
}

export interface RegistryOptions {
  store: Pick<Store, 'commit'>;
  catalog: Catalog;
  /** Brings the catalog to the store's head (the catalog follower's catchUp). */
  catchUp: () => Promise<void>;
  account: Account;
  limits?: Partial<Limits>;
  defaultSoaTtl: number;
  customHealthDelayMs?: number;
  vpcs?: Iterable<string>;
  operationRetentionMs: number;
  timers?: Timers;
  random?: () => number;
  ids?: IdGenerator;
}

/** A registry over a catalog and a store; every write also prunes operations older than the retention. */
export function createRegistry(o: RegistryOptions): RegistryContext {
  const timers = o.timers ?? realTimers;
  const now = (): number => timers.now();
  return {
    catalog: o.catalog,
    writer: new Writer({
      store: o.store,
      catalog: o.catalog,
      catchUp: o.catchUp,
      housekeeping: operationPruner({ now, retentionMs: o.operationRetentionMs }),
    }),
    discovery: new DiscoveryCache(o.catalog),
    account: o.account,
    ids: o.ids ?? idGenerator(),
    now,
    timers,
    limits: { ...defaultLimits, ...o.limits },
    defaultSoaTtl: o.defaultSoaTtl,
    customHealthDelayMs: o.customHealthDelayMs ?? 0,
    random: o.random ?? Math.random,
    vpcs: new Set(o.vpcs),
    operationRetentionMs: o.operationRetentionMs,
  };
}
