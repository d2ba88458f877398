// What the Redis store does on a Cluster of its own (three masters): every key of a registry on the one
// master of its slot, commits and the feed carried on through a slot migration (ASK, then MOVED), and
// failing fast, saying nothing was written, while that master is down.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../src/model/changes.ts';
import { ServiceUnavailable, WriteOutcomeUnknown } from '../../src/model/errors.ts';
import { RedisStore } from '../../src/store/redis/redis-store.ts';
import { startCluster, type Deployment } from '../support/redis-deployments.ts';
import { newPrefix } from '../support/server.ts';
import { eventually } from '../support/eventually.ts';

const nsMutation = (id: string): Mutation => ({
  table: 'namespaces',
  key: id,
  value: { id, name: `${id}.example`, type: 'HTTP', httpName: id, createDate: 1 },
});

let cluster: Deployment & { ports: number[] };
const nodes = new Map<number, Redis>();
const stores: RedisStore[] = [];

beforeAll(async () => {
  cluster = await startCluster();
  for (const port of cluster.ports) {
    const node = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0 });
    node.on('error', () => undefined); // the node the last test stops
    nodes.set(port, node);
  }
}, 30_000);
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  for (const n of nodes.values()) n.disconnect();
  await cluster?.stop();
});

async function connect(prefix: string, socketTimeoutMs?: number): Promise<RedisStore> {
  const store = await RedisStore.connect({ url: cluster.url, prefix, followBlockMs: 300, ...(socketTimeoutMs ? { socketTimeoutMs } : {}) });
  stores.push(store);
  return store;
}

/** The port of the master serving `key`'s slot, and the slot. */
async function owner(key: string): Promise<{ port: number; slot: number }> {
  const any = [...nodes.values()][0]!;
  const slot = Number(await any.cluster('KEYSLOT', key));
  const ranges = await any.cluster('SLOTS');
  const range = ranges.find(([from, to]) => slot >= from && slot <= to)!;
  return { port: range[2]![1], slot };
}

const nodeId = async (port: number): Promise<string> => String(await nodes.get(port)!.cluster('MYID'));

/**
 * Starts moving the registry's slot to another master and moves its keys there: the old master answers
 * ASK from now on. `finish()` hands the slot to the new master on every node: MOVED from then on.
 */
async function migrateSlot(prefix: string): Promise<{ from: number; to: number; keys: string[]; finish: () => Promise<void> }> {
  const { port: from, slot } = await owner(`{${prefix}}`);
  const to = cluster.ports.find((p) => p !== from)!;
  const [fromId, toId] = [await nodeId(from), await nodeId(to)];
  await nodes.get(to)!.cluster('SETSLOT', slot, 'IMPORTING', fromId);
  await nodes.get(from)!.cluster('SETSLOT', slot, 'MIGRATING', toId);
  const keys = await nodes.get(from)!.cluster('GETKEYSINSLOT', slot, 100);
  await nodes.get(from)!.migrate('127.0.0.1', to, '', 0, 5000, 'KEYS', ...keys);
  const finish = async (): Promise<void> => {
    for (const port of cluster.ports) await nodes.get(port)!.cluster('SETSLOT', slot, 'NODE', toId);
  };
  return { from, to, keys, finish };
}

describe('the Redis store on a Cluster', () => {
  it('keeps every key of a registry on the one master that serves its hash tag', async () => {
    const prefix = newPrefix();
    const store = await connect(prefix);
    await store.commit(0, [nsMutation('ns-a'), { table: 'tags', key: 'ns-a', value: [] }]);
    await store.heartbeat('replica-1', 10_000);
    const { port } = await owner(`{${prefix}}`);
    for (const [p, node] of nodes) {
      const keys = await node.keys(`{${prefix}}:*`);
      expect(keys.length, `keys on ${p}`).toBe(p === port ? 6 : 0);
    }
  });

  it('carries commits, heartbeats and the feed on through a slot migration to another master', async () => {
    const prefix = newPrefix();
    const store = await connect(prefix);
    const seen: number[] = [];
    let resets = 0;
    for (let k = 0; k < 3; k++) await store.commit(k, [nsMutation(`ns-${k}`)]);
    await store.heartbeat('replica-1', 60_000);
    store.follow(3, { change: (c) => seen.push(c.revision), reset: () => resets++ });

    const { from, to, keys, finish } = await migrateSlot(prefix);
    // Mid-migration the old master answers ASK: a one-key command is carried out on the new master...
    expect(await store.heartbeat('replica-2', 60_000)).toEqual(['replica-1', 'replica-2']);
    // ...while a commit names tables that exist on neither (TRYAGAIN until the migration ends): it is
    // refused, and says so: nothing was written.
    const refused = await store.commit(3, [nsMutation('ns-refused')]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ServiceUnavailable);
    expect(refused).not.toBeInstanceOf(WriteOutcomeUnknown);
    expect((refused as Error).message).toContain('nothing was written');
    await finish();
    // Migrated: the old master answers MOVED, and the client follows it for good.
    expect(await store.commit(3, [nsMutation('ns-3')])).toEqual({ ok: true, revision: 4 });
    expect(await store.commit(4, [nsMutation('ns-4')])).toEqual({ ok: true, revision: 5 });
    expect(await nodes.get(to)!.keys(`{${prefix}}:*`)).toHaveLength(keys.length);
    expect(await nodes.get(from)!.keys(`{${prefix}}:*`)).toEqual([]);

    await eventually(() => expect(seen).toEqual([4, 5]), 5000);
    expect(resets).toBe(0);
    const fresh = await connect(prefix);
    const snap = await fresh.snapshot();
    expect(snap.revision).toBe(5);
    expect([...snap.tables.namespaces.keys()].sort()).toEqual(['ns-0', 'ns-1', 'ns-2', 'ns-3', 'ns-4']);
  });

  it('comes through a redirected command whose connection is dropped before the new master answers', async () => {
    // On ASK, ioredis sends ASKING to the new master and leaves that command's promise to nobody: when the
    // socket timeout drops the connection first, its rejection was unhandled and ended the process.
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): number => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const prefix = newPrefix();
      const store = await connect(prefix, 200);
      await store.heartbeat('replica-1', 60_000);
      const { to, finish } = await migrateSlot(prefix);
      await nodes.get(to)!.call('CLIENT', 'PAUSE', '800', 'ALL');
      const failed = await store.heartbeat('replica-2', 60_000).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failed).toBeInstanceOf(ServiceUnavailable);
      await finish();
      await eventually(async () => expect(await store.heartbeat('replica-2', 60_000)).toEqual(['replica-1', 'replica-2']), 5000);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it("fails fast while the slot's master is down, saying nothing was written, and never claims a write it did not make", async () => {
    const prefix = newPrefix();
    const store = await connect(prefix);
    await store.commit(0, [nsMutation('ns-a')]);
    const { port } = await owner(`{${prefix}}`);
    // SIGSTOP would leave the connection open (WriteOutcomeUnknown, covered on standalone Redis); a
    // stopped master refuses connections, as a dead one does.
    await nodes
      .get(port)!
      .shutdown('NOSAVE')
      .catch(() => undefined);
    const outcomes: string[] = [];
    for (let k = 0; k < 5; k++) {
      const t = Date.now();
      const error = await store.commit(1, [nsMutation(`ns-${k}`)]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - t).toBeLessThan(1500);
      expect(error).toBeInstanceOf(ServiceUnavailable);
      outcomes.push(error instanceof WriteOutcomeUnknown ? 'unknown' : 'not written');
    }
    // The first commit may find the connection still up and learn only then that it is gone.
    expect(outcomes.slice(1)).toEqual(['not written', 'not written', 'not written', 'not written']);
  });
});
