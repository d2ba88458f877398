// The store's metric families: whether it is reachable, and how far this replica's catalog is behind it.
import { Gauge, type Registry } from 'prom-client';
import type { Store } from './types.ts';

/** `applied`: the revision this replica's catalog has applied. */
export function registerStoreMetrics(registry: Registry, store: Store, applied: () => number): void {
  new Gauge({
    name: 'cairn_store_up',
    help: 'Whether the store is reachable from this replica (1) or not (0); the embedded memory store always is',
    registers: [registry],
    collect() {
      this.set(store.reachability().up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cairn_feed_lag_seconds',
    help: "How far this replica's catalog is behind the store: seconds since the oldest change it has not applied was committed (0 when caught up; NaN while the store cannot be asked)",
    registers: [registry],
    async collect() {
      this.set(await store.lagSeconds(applied()).catch(() => NaN));
    },
  });
}
