// What every registry module needs: the catalog to read, the writer, the account, limits, ids and time.
import type { Catalog } from '../catalog/catalog.ts';
import type { Account, IdGenerator } from '../model/ids.ts';
import type { Timers } from '../model/timers.ts';
import type { Writer } from './writer.ts';

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
