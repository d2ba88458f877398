// The Store contract, run unchanged against the embedded memory store and the Redis store (on the run's
// Redis and on a three-master Cluster): conditional commits, atomic snapshots, exact round trips, the
// change feed (changesSince, follow, reset) and replica liveness.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { InstanceRecord, NamespaceRecord, ServiceRecord, TagsRecord } from '../../src/model/records.ts';
import { MemoryStore } from '../../src/store/memory/memory-store.ts';
import { RedisStore } from '../../src/store/redis/redis-store.ts';
import type { Change, Mutation, Snapshot } from '../../src/model/changes.ts';
import type { Store } from '../../src/store/index.ts';
import { newPrefix } from '../support/server.ts';
import { eventually } from '../support/eventually.ts';

interface Opened {
  store: Store;
  /** A second handle on the same data: another connection for Redis, the same store for memory. */
  peer: Store;
}

interface Harness {
  name: string;
  open(options?: { feedLength?: number }): Promise<Opened>;
}

const harnesses: Harness[] = [
  {
    name: 'MemoryStore',
    async open(options = {}) {
      const store = new MemoryStore(options);
      return { store, peer: store };
    },
  },
  ...(['redisUrl', 'redisClusterUrl'] as const).map((url): Harness => ({
    name: url === 'redisUrl' ? 'RedisStore' : 'RedisStore on a three-master Cluster',
    async open(options = {}) {
      const prefix = newPrefix();
      const connect = (): Promise<RedisStore> => RedisStore.connect({ url: inject(url), prefix, followBlockMs: 300, ...options });
      return { store: await connect(), peer: await connect() };
    },
  })),
];

const namespace = (id: string, extra: Partial<NamespaceRecord> = {}): NamespaceRecord => ({
  id,
  name: `${id}.example`,
  type: 'DNS_PRIVATE',
  httpName: id,
  createDate: 1587081768.334,
  soaTtl: 15,
  vpc: 'vpc-1',
  hostedZoneId: 'Z1',
  ...extra,
});
const nsMutation = (id: string, extra: Partial<NamespaceRecord> = {}): Mutation => ({
  table: 'namespaces',
  key: id,
  value: namespace(id, extra),
});

/** Resolves when `check` passes, polling; fails with its last error after `ms`. */
describe.each(harnesses)('Store contract: $name', (harness) => {
  const opened: Opened[] = [];
  const open = async (options?: { feedLength?: number }): Promise<Opened> => {
    const o = await harness.open(options);
    opened.push(o);
    return o;
  };
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.store.close();
      if (o.peer !== o.store) await o.peer.close();
    }
  });

  describe('commit', () => {
    it('applies the mutations when the head is the expected revision and returns the new revision', async () => {
      const { store } = await open();
      expect(await store.commit(0, [nsMutation('ns-a')])).toEqual({ ok: true, revision: 1 });
      expect(await store.commit(1, [nsMutation('ns-b')])).toEqual({ ok: true, revision: 2 });
      const snap = await store.snapshot();
      expect(snap.revision).toBe(2);
      expect([...snap.tables.namespaces.keys()].sort()).toEqual(['ns-a', 'ns-b']);
    });

    it('refuses a commit from a stale revision, returns the head and writes nothing', async () => {
      const { store, peer } = await open();
      await store.commit(0, [nsMutation('ns-a')]);
      await store.commit(1, [nsMutation('ns-b')]);
      expect(await peer.commit(1, [nsMutation('ns-c'), nsMutation('ns-a', { description: 'late' })])).toEqual({ ok: false, head: 2 });
      const snap = await store.snapshot();
      expect(snap.revision).toBe(2);
      expect(snap.tables.namespaces.has('ns-c')).toBe(false);
      expect(snap.tables.namespaces.get('ns-a')?.description).toBeUndefined();
      expect(await store.changesSince(2)).toEqual([]);
    });

    it('deletes a record given a null value, in the same commit as other writes', async () => {
      const { store } = await open();
      await store.commit(0, [nsMutation('ns-a'), { table: 'tags', key: 'ns-a', value: [{ Key: 'k', Value: 'v' }] }]);
      await store.commit(1, [
        { table: 'tags', key: 'ns-a', value: null },
        nsMutation('ns-b'),
        { table: 'namespaces', key: 'ns-missing', value: null },
      ]);
      const snap = await store.snapshot();
      expect(snap.tables.tags.has('ns-a')).toBe(false);
      expect([...snap.tables.namespaces.keys()].sort()).toEqual(['ns-a', 'ns-b']);
    });

    it('lets exactly one of two writers racing from the same revision win', async () => {
      const { store, peer } = await open();
      await store.commit(0, [nsMutation('ns-base')]);
      const outcomes = await Promise.all([store.commit(1, [nsMutation('ns-x')]), peer.commit(1, [nsMutation('ns-y')])]);
      expect(outcomes.filter((o) => o.ok)).toEqual([{ ok: true, revision: 2 }]);
      expect(outcomes.filter((o) => !o.ok)).toEqual([{ ok: false, head: 2 }]);
      expect((await store.snapshot()).tables.namespaces.size).toBe(2);
    });
  });

  describe('values', () => {
    const long = 'x'.repeat(70_000) + '\u00e9\u{1F600}';
    const service: ServiceRecord = {
      id: 'srv-1',
      name: 'caf\u00e9-\u{1F680}-\u670d\u52a1',
      namespaceId: 'ns-a',
      type: 'DNS_HTTP',
      description: 'quotes " \' backslash \\ newline \n tab \t nul-ish \u0001 and </script>',
      dnsConfig: { routingPolicy: 'WEIGHTED', dnsRecords: [] },
      healthCheckConfig: { type: 'HTTP', resourcePath: '/h\u00e9alth?x=1&y=[]', failureThreshold: 3 },
      createDate: 1587081768.334,
      attributes: {},
      instancesRevision: 9007199254740991,
    };
    const instance: InstanceRecord = {
      serviceId: 'srv-1',
      id: 'i-\u00fcnicode',
      attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', empty: '', long, '\u{1F511}': '\u{1F5DD}', '[]': '{}' },
      createDate: 0.1 + 0.2,
      seq: 1,
    };
    const cases: { name: string; mutation: Mutation }[] = [
      {
        name: 'fractional timestamps and unicode names',
        mutation: nsMutation('ns-a', { createDate: 1587081768.334, description: '\u65e5\u672c\u8a9e \u{1F30F} e\u0301' }),
      },
      { name: 'empty arrays, empty maps, extreme integers', mutation: { table: 'services', key: 'srv-1', value: service } },
      { name: 'long strings and odd attribute keys', mutation: { table: 'instances', key: 'srv-1/i-\u00fcnicode', value: instance } },
      { name: 'an empty tag list', mutation: { table: 'tags', key: 'ns-a', value: [] satisfies TagsRecord } },
      {
        name: 'tiny and huge numbers',
        mutation: { table: 'health', key: 'srv-1/i-\u00fcnicode', value: { status: 'UNHEALTHY', since: 1.5e300 } },
      },
      {
        name: 'negative and sub-millisecond numbers',
        mutation: { table: 'health', key: 'srv-1/i-2', value: { status: 'HEALTHY', since: -1e-7 } },
      },
      {
        name: 'operations with optional fields and partial targets',
        mutation: {
          table: 'operations',
          key: 'op-1',
          value: {
            id: 'op-1',
            type: 'REGISTER_INSTANCE',
            status: 'FAIL',
            errorCode: 'X',
            errorMessage: '\u00bfqu\u00e9?',
            createDate: 1587081768.001,
            updateDate: 1587081769.999,
            targets: { SERVICE: 'srv-1' },
            requestKey: '{"a":[]}',
          },
        },
      },
    ];

    it.each(cases)('round-trips $name exactly through snapshot, changesSince and follow', async ({ mutation }) => {
      const { store, peer } = await open();
      const followed: Change[] = [];
      const stop = peer.follow(0, {
        change: (c) => followed.push(c),
        reset: () => {
          throw new Error('unexpected reset');
        },
      });
      await store.commit(0, [mutation]);
      const snap = await peer.snapshot();
      expect((snap.tables[mutation.table] as Map<string, unknown>).get(mutation.key)).toStrictEqual(mutation.value);
      expect(await peer.changesSince(0)).toStrictEqual([{ revision: 1, mutations: [mutation] }]);
      await eventually(() => expect(followed).toStrictEqual([{ revision: 1, mutations: [mutation] }]));
      stop();
    });
  });

  describe('snapshot', () => {
    it('is empty at revision 0 before any commit', async () => {
      const { store } = await open();
      const snap = await store.snapshot();
      expect(snap.revision).toBe(0);
      expect(Object.values(snap.tables).map((t) => t.size)).toEqual([0, 0, 0, 0, 0, 0]);
    });

    it('reflects whole commits only, while another writer commits', async () => {
      const { store, peer } = await open();
      // Commit k sets ns-a's createDate and tag to k, adds instance k and deletes instance k-1: a snapshot
      // at revision r must show exactly r everywhere.
      const commits = 60;
      const writing = (async () => {
        for (let k = 1; k <= commits; k++) {
          const outcome = await peer.commit(k - 1, [
            nsMutation('ns-a', { createDate: k }),
            { table: 'tags', key: 'ns-a', value: [{ Key: 'rev', Value: String(k) }] },
            { table: 'instances', key: `s/i-${k}`, value: { serviceId: 's', id: `i-${k}`, attributes: {}, createDate: k, seq: k } },
            { table: 'instances', key: `s/i-${k - 1}`, value: null },
          ]);
          expect(outcome).toEqual({ ok: true, revision: k });
          await new Promise((r) => setImmediate(r));
        }
      })();
      const snaps: Snapshot[] = [];
      let done = false;
      void writing.finally(() => {
        done = true;
      });
      while (!done) {
        snaps.push(await store.snapshot());
        await new Promise((r) => setImmediate(r));
      }
      await writing;
      snaps.push(await store.snapshot());
      for (const s of snaps) {
        const r = s.revision;
        if (r === 0) {
          expect(s.tables.namespaces.size).toBe(0);
          continue;
        }
        expect(s.tables.namespaces.get('ns-a')?.createDate).toBe(r);
        expect(s.tables.tags.get('ns-a')).toEqual([{ Key: 'rev', Value: String(r) }]);
        expect([...s.tables.instances.keys()]).toEqual([`s/i-${r}`]);
      }
      expect(snaps.at(-1)?.revision).toBe(commits);
    });

    it('cannot be changed through a snapshot (records are copies or frozen)', async () => {
      const { store } = await open();
      await store.commit(0, [nsMutation('ns-a')]);
      const first = await store.snapshot();
      try {
        first.tables.namespaces.get('ns-a')!.name = 'changed';
      } catch {
        /* frozen: the memory store shares immutable records */
      }
      first.tables.namespaces.delete('ns-a');
      expect((await store.snapshot()).tables.namespaces.get('ns-a')?.name).toBe('ns-a.example');
    });
  });

  describe('changesSince', () => {
    it('returns the changes after a revision in order, and nothing at the head', async () => {
      const { store, peer } = await open();
      for (let k = 0; k < 5; k++) await (k % 2 ? peer : store).commit(k, [nsMutation(`ns-${k}`)]);
      const all = await store.changesSince(0);
      expect(all?.map((c) => c.revision)).toEqual([1, 2, 3, 4, 5]);
      expect(all?.map((c) => c.mutations[0]?.key)).toEqual(['ns-0', 'ns-1', 'ns-2', 'ns-3', 'ns-4']);
      expect((await store.changesSince(3))?.map((c) => c.revision)).toEqual([4, 5]);
      expect(await store.changesSince(5)).toEqual([]);
    });

    it('returns null once the feed was trimmed past the revision, and the recent changes still', async () => {
      const { store } = await open({ feedLength: 5 });
      const commits = 250; // more than Redis's approximate trimming keeps (whole stream nodes of 100)
      for (let k = 0; k < commits; k++) await store.commit(k, [nsMutation(`ns-${k % 3}`, { createDate: k })]);
      expect(await store.changesSince(0)).toBeNull();
      expect((await store.changesSince(commits - 3))?.map((c) => c.revision)).toEqual([commits - 2, commits - 1, commits]);
    });
  });

  describe('follow', () => {
    it('delivers every change once, in order, including those committed through another handle', async () => {
      const { store, peer } = await open();
      const seen: Change[] = [];
      let resets = 0;
      const stop = store.follow(0, {
        change: (c) => seen.push(c),
        reset: () => {
          resets++;
        },
      });
      const written: Change[] = [];
      for (let k = 0; k < 40; k++) {
        const mutations = [nsMutation(`ns-${k}`, { createDate: k + 0.5 })];
        const outcome = await (k % 3 === 0 ? store : peer).commit(k, mutations);
        expect(outcome.ok).toBe(true);
        written.push({ revision: k + 1, mutations });
      }
      await eventually(() => expect(seen.length).toBe(40));
      await new Promise((r) => setTimeout(r, 50));
      expect(seen).toStrictEqual(written);
      expect(resets).toBe(0);
      stop();
    });

    it('starts after the given revision', async () => {
      const { store } = await open();
      for (let k = 0; k < 4; k++) await store.commit(k, [nsMutation(`ns-${k}`)]);
      const seen: number[] = [];
      const stop = store.follow(2, { change: (c) => seen.push(c.revision), reset: () => undefined });
      await store.commit(4, [nsMutation('ns-4')]);
      await eventually(() => expect(seen).toEqual([3, 4, 5]));
      stop();
    });

    it('delivers nothing more once stopped', async () => {
      const { store, peer } = await open();
      const seen: number[] = [];
      const stop = store.follow(0, { change: (c) => seen.push(c.revision), reset: () => undefined });
      await peer.commit(0, [nsMutation('ns-a')]);
      await eventually(() => expect(seen).toEqual([1]));
      stop();
      await peer.commit(1, [nsMutation('ns-b')]);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toEqual([1]);
    });

    it('calls reset when the feed cannot fill the gap, then goes on with new changes', async () => {
      const { store } = await open({ feedLength: 5 });
      for (let k = 0; k < 250; k++) await store.commit(k, [nsMutation(`ns-${k % 3}`, { createDate: k })]);
      const seen: number[] = [];
      let resets = 0;
      const stop = store.follow(0, {
        change: (c) => seen.push(c.revision),
        reset: () => {
          resets++;
        },
      });
      await eventually(() => expect(resets).toBe(1));
      expect(seen).toEqual([]);
      await store.commit(250, [nsMutation('ns-new')]);
      await eventually(() => expect(seen).toEqual([251]));
      expect(resets).toBe(1);
      stop();
    });
  });

  describe('replicas', () => {
    it('lists live replicas sorted, forgets expired ones and removes one that leaves', async () => {
      const { store, peer } = await open();
      expect(await store.heartbeat('replica-b', 10_000)).toEqual(['replica-b']);
      expect(await peer.heartbeat('replica-a', 10_000)).toEqual(['replica-a', 'replica-b']);
      expect(await peer.heartbeat('replica-c', 150)).toEqual(['replica-a', 'replica-b', 'replica-c']);
      await new Promise((r) => setTimeout(r, 300));
      expect(await store.heartbeat('replica-b', 10_000)).toEqual(['replica-a', 'replica-b']);
      await store.leave('replica-a');
      expect(await peer.heartbeat('replica-b', 10_000)).toEqual(['replica-b']);
      await store.leave('replica-never-seen');
      expect(await store.heartbeat('replica-c', 10_000)).toEqual(['replica-b', 'replica-c']);
    });
  });
});
