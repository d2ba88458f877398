// cairn_store_up and cairn_feed_lag_seconds: the lag is the age of the oldest change a reader has not
// applied, on Redis's clock, 0 when it has them all; the memory store is always up and never behind;
// with Redis gone, /metrics still answers at once and says the store is down.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Mutation } from '../../src/model/changes.ts';
import { MemoryStore, RedisStore, registerStoreMetrics, type Store } from '../../src/store/index.ts';
import { eventually } from '../support/eventually.ts';
import { ownRedis, type OwnRedis } from '../support/own-redis.ts';
import { parsePrometheus, scrape } from '../support/prometheus.ts';
import { newPrefix, startTestServer, type TestServer } from '../support/server.ts';

const ns = (id: string): Mutation => ({
  table: 'namespaces',
  key: id,
  value: { id, name: id, httpName: id, type: 'HTTP', createDate: 1 },
});

/** The store's two gauges as a registry of their own renders them, for a reader at `applied`. */
async function gauges(store: Store, applied: () => number): Promise<{ up: number; lag: number }> {
  const registry = new Registry();
  registerStoreMetrics(registry, store, applied);
  const s = parsePrometheus(await registry.metrics());
  return { up: s.value('cairn_store_up')!, lag: s.value('cairn_feed_lag_seconds')! };
}

describe('store metrics, Redis', () => {
  let store: RedisStore;
  beforeAll(async () => {
    store = await RedisStore.connect({ url: inject('redisUrl'), prefix: newPrefix() });
  });
  afterAll(async () => {
    await store.close();
  });

  it('measures the lag from the commit time of the oldest change not applied, and 0 once all are', async () => {
    expect(await gauges(store, () => 0)).toEqual({ up: 1, lag: 0 });
    await store.commit(0, [ns('ns-a')]);
    await new Promise((r) => setTimeout(r, 300));
    await store.commit(1, [ns('ns-b')]);
    const behindBoth = await gauges(store, () => 0);
    expect(behindBoth.up).toBe(1);
    // Measured from the first change missing (300 ms old), not the newest.
    expect(behindBoth.lag).toBeGreaterThanOrEqual(0.28);
    expect(behindBoth.lag).toBeLessThan(5);
    expect((await gauges(store, () => 1)).lag).toBeLessThan(behindBoth.lag - 0.2);
    expect(await gauges(store, () => 2)).toEqual({ up: 1, lag: 0 });
  });
});

describe('store metrics, memory', () => {
  it('is always up and never behind', async () => {
    const store = new MemoryStore();
    await store.commit(0, [ns('ns-a')]);
    expect(await gauges(store, () => 0)).toEqual({ up: 1, lag: 0 });
  });
});

describe('store metrics while Redis is gone', () => {
  let redis: OwnRedis;
  let t: TestServer;
  beforeAll(async () => {
    redis = await ownRedis();
    t = await startTestServer({ flags: ['--redis-url', redis.url, '--redis-prefix', newPrefix()] });
  });
  afterAll(async () => {
    await t?.stop();
    await redis?.stop();
  });

  it('says the store is down and the lag unknown, and /metrics still answers at once', async () => {
    const before = await scrape(t.endpoint);
    expect(before.value('cairn_store_up')).toBe(1);
    expect(before.value('cairn_feed_lag_seconds')).toBe(0);
    await redis.stop();
    await eventually(async () => expect((await scrape(t.endpoint)).value('cairn_store_up')).toBe(0));
    const started = Date.now();
    const s = await scrape(t.endpoint);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(s.value('cairn_feed_lag_seconds')).toBeNaN();
    expect(s.value('cairn_catalog_namespaces')).toBe(0);
  });
});
