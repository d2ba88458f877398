// --redis-wait-replicas: a commit is acknowledged only once that many replicas have it (WAIT). Short of
// them in time it fails with WriteOutcomeUnknown, since the master has applied it and a failover may or
// may not keep it.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../src/model/changes.ts';
import { WriteOutcomeUnknown } from '../../src/model/errors.ts';
import { RedisStore } from '../../src/store/redis/redis-store.ts';
import { startReplicated, type Deployment } from '../support/redis-deployments.ts';
import { newPrefix } from '../support/server.ts';

const nsMutation = (id: string): Mutation => ({
  table: 'namespaces',
  key: id,
  value: { id, name: `${id}.example`, type: 'HTTP', httpName: id, createDate: 1 },
});
let redis: Deployment & { dataPorts: number[] };
let replica: Redis;
const stores: RedisStore[] = [];

beforeAll(async () => {
  redis = await startReplicated(1);
  replica = new Redis(redis.dataPorts[1]!, '127.0.0.1');
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  replica?.disconnect();
  await redis?.stop();
});

async function connect(waitReplicas: number, waitTimeoutMs = 200): Promise<{ store: RedisStore; prefix: string }> {
  const prefix = newPrefix();
  const store = await RedisStore.connect({ url: redis.url, prefix, waitReplicas, waitTimeoutMs });
  stores.push(store);
  return { store, prefix };
}

describe('--redis-wait-replicas', () => {
  it('acknowledges a commit once the replica has it', async () => {
    // A wait long enough for a replica starved of CPU by a busy test run (CI saw one miss 200 ms).
    const { store, prefix } = await connect(1, 2000);
    for (let k = 0; k < 20; k++) {
      expect(await store.commit(k, [nsMutation(`ns-${k}`)])).toEqual({ ok: true, revision: k + 1 });
      // Read on the replica at once: WAIT made sure it is there.
      expect(await replica.get(`{${prefix}}:rev`)).toBe(String(k + 1));
    }
  });

  it('answers WriteOutcomeUnknown within the wait when fewer replicas than asked have it, though the master applied it', async () => {
    const { store } = await connect(2);
    const t = Date.now();
    await expect(store.commit(0, [nsMutation('ns-a')])).rejects.toBeInstanceOf(WriteOutcomeUnknown);
    expect(Date.now() - t).toBeLessThan(1000);
    // Applied on the master (and its one replica): a failover may keep it or not, hence "unknown".
    expect((await store.snapshot()).tables.namespaces.has('ns-a')).toBe(true);
  });

  it('waits for nothing by default', async () => {
    const { store } = await connect(0);
    expect(await store.commit(0, [nsMutation('ns-a')])).toEqual({ ok: true, revision: 1 });
  });
});
