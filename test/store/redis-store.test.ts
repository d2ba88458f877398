// What only the Redis store does: its key layout, validation of what it reads back, noticing that Redis
// lost its data, failing fast while Redis is away and resuming when it is back, and its URL forms.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { NamespaceRecord } from '../../src/model/records.ts';
import { parseRedisTarget } from '../../src/store/redis/connection.ts';
import { RedisStore } from '../../src/store/redis/redis-store.ts';
import type { Mutation } from '../../src/model/changes.ts';
import { adminClient, keysMatching, type AdminClient } from '../support/redis-admin.ts';
import { freePort } from '../../bench/lib/ports.ts';
import { startProcess, startRedis, stopProcess } from '../support/redis-deployments.ts';
import { newPrefix } from '../support/server.ts';
import { eventually } from '../support/eventually.ts';

const namespace = (id: string, createDate = 1587081768.334): NamespaceRecord => ({
  id,
  name: `${id}.example`,
  type: 'HTTP',
  httpName: id,
  createDate,
});
const nsMutation = (id: string, createDate?: number): Mutation => ({ table: 'namespaces', key: id, value: namespace(id, createDate) });

/** How long a promise takes to settle, and whether it rejected. */
async function timed(p: Promise<unknown>): Promise<{ ms: number; rejected: boolean }> {
  const t = Date.now();
  const rejected = await p.then(
    () => false,
    () => true,
  );
  return { ms: Date.now() - t, rejected };
}

const stores: RedisStore[] = [];
async function connect(options: {
  prefix: string;
  url?: string;
  feedLength?: number;
  startTimeoutMs?: number;
  followBlockMs?: number;
}): Promise<RedisStore> {
  const store = await RedisStore.connect({ url: options.url ?? inject('redisUrl'), followBlockMs: 300, ...options });
  stores.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describe('Redis key layout', () => {
  let raw: AdminClient;
  beforeAll(() => {
    raw = adminClient(inject('redisUrl'));
  });
  afterAll(async () => {
    await raw.quit();
  });

  it('keeps every key under the {prefix} hash tag with the documented types', async () => {
    const prefix = newPrefix();
    const store = await connect({ prefix });
    await store.commit(0, [nsMutation('ns-a'), { table: 'tags', key: 'ns-a', value: [] }]);
    await store.heartbeat('replica-1', 10_000);
    const keys = (await keysMatching(raw, `{${prefix}}:*`)).sort();
    expect(keys).toEqual([
      `{${prefix}}:epoch`,
      `{${prefix}}:feed`,
      `{${prefix}}:replicas`,
      `{${prefix}}:rev`,
      `{${prefix}}:t:namespaces`,
      `{${prefix}}:t:tags`,
    ]);
    const types = await Promise.all(keys.map((k) => raw.type(k)));
    expect(types).toEqual(['string', 'stream', 'zset', 'string', 'hash', 'hash']);
    expect(await raw.get(`{${prefix}}:rev`)).toBe('1');
    expect(await raw.hget(`{${prefix}}:t:namespaces`, 'ns-a')).toBe(JSON.stringify(namespace('ns-a')));
    expect(await raw.hget(`{${prefix}}:t:tags`, 'ns-a')).toBe('[]');
    const [[id, fields]] = (await raw.xrange(`{${prefix}}:feed`, '-', '+')) as [string, string[]][] as [[string, string[]]];
    expect(id).toBe('1-0');
    expect(fields).toEqual([
      'e',
      await raw.get(`{${prefix}}:epoch`),
      'm',
      `[["namespaces","ns-a",${JSON.stringify(namespace('ns-a'))}],["tags","ns-a",[]]]`,
      't',
      expect.stringMatching(/^\d+$/),
    ]);
    // The commit time, on Redis's clock, in ms.
    const [seconds] = await raw.time();
    expect(Math.abs(Number(fields[5]) - Number(seconds) * 1000)).toBeLessThan(5000);
  });

  it('trims the feed to about the configured length', async () => {
    const prefix = newPrefix();
    const store = await connect({ prefix, feedLength: 50 });
    for (let k = 0; k < 400; k++) await store.commit(k, [nsMutation('ns-a', k)]);
    const length = await raw.xlen(`{${prefix}}:feed`);
    expect(length).toBeGreaterThanOrEqual(50);
    expect(length).toBeLessThan(250);
  });

  it.each([
    { name: 'a value that is not JSON', value: '{"id":', says: /not JSON/ },
    {
      name: 'a record missing a required field',
      value: JSON.stringify({ id: 'ns-bad', name: 'x', type: 'HTTP', createDate: 1 }),
      says: /not a valid namespaces record at httpName/,
    },
    {
      name: 'a record with a wrong enum value',
      value: JSON.stringify({ ...namespace('ns-bad'), type: 'SOAP' }),
      says: /not a valid namespaces record at type/,
    },
  ])('stops a snapshot on $name, naming the key and field', async ({ value, says }) => {
    const prefix = newPrefix();
    const store = await connect({ prefix });
    await store.commit(0, [nsMutation('ns-good')]);
    await raw.hset(`{${prefix}}:t:namespaces`, 'ns-bad', value);
    const error = await store.snapshot().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(says);
    expect(error?.message).toContain(`{${prefix}}:t:namespaces field "ns-bad"`);
  });

  it('stops changesSince on a corrupt feed entry, naming it', async () => {
    const prefix = newPrefix();
    const store = await connect({ prefix });
    await raw.xadd(`{${prefix}}:feed`, '1-0', 'e', 'x', 'm', '[["namespaces","ns-a",{"id":1}]]');
    await raw.set(`{${prefix}}:rev`, '1');
    await expect(store.changesSince(0)).rejects.toThrow(`{${prefix}}:feed entry 1-0`);
  });
});

describe('Redis store when the data is lost', () => {
  let raw: AdminClient;
  beforeAll(() => {
    raw = adminClient(inject('redisUrl'));
  });
  afterAll(async () => {
    await raw.quit();
  });
  const wipe = async (prefix: string): Promise<void> => {
    await raw.del(...(await keysMatching(raw, `{${prefix}}:*`)));
  };

  it('resets a follower and answers changesSince with null when the revision goes backwards', async () => {
    const prefix = newPrefix();
    const store = await connect({ prefix });
    for (let k = 0; k < 5; k++) await store.commit(k, [nsMutation(`ns-${k}`)]);
    await store.snapshot();
    let resets = 0;
    const seen: number[] = [];
    store.follow(5, {
      change: (c) => seen.push(c.revision),
      reset: () => {
        resets++;
      },
    });
    await wipe(prefix);
    await eventually(() => expect(resets).toBe(1));
    expect(await store.changesSince(5)).toBeNull();
    // After the reset the follower goes on from the new head.
    expect(await store.commit(0, [nsMutation('ns-new')])).toEqual({ ok: true, revision: 1 });
    await eventually(() => expect(seen).toEqual([1]));
  });

  it('tells data written anew past the old head apart by its epoch', async () => {
    const prefix = newPrefix();
    // A long block: the follower sees the new data only through the feed, never through an idle check.
    const old = await connect({ prefix, followBlockMs: 10_000 });
    for (let k = 0; k < 3; k++) await old.commit(k, [nsMutation(`ns-${k}`)]);
    await old.snapshot();
    let resets = 0;
    const seen: number[] = [];
    old.follow(3, {
      change: (c) => seen.push(c.revision),
      reset: () => {
        resets++;
      },
    });
    await old.commit(3, [nsMutation('ns-3')]);
    await eventually(() => expect(seen).toEqual([4])); // the follower is blocked in XREAD after 4-0 now
    await wipe(prefix);
    // Another replica writes five changes into the empty store before this one notices.
    const other = await connect({ prefix });
    for (let k = 0; k < 5; k++) await other.commit(k, [nsMutation(`other-${k}`)]);
    await eventually(() => expect(resets).toBe(1));
    expect(seen).toEqual([4]);
    // A writer planning from the old data is refused even where the revision matches.
    expect(await old.changesSince(4)).toBeNull();
    await other.commit(5, [nsMutation('other-5')]);
    expect(await old.commit(6, [nsMutation('stale')])).toEqual({ ok: false, head: 6 });
    // The follower went on from the new head after its reset.
    await eventually(() => expect(seen).toEqual([4, 6]));
    // After a reload it writes again.
    expect((await old.snapshot()).revision).toBe(6);
    expect(await old.commit(6, [nsMutation('fresh')])).toEqual({ ok: true, revision: 7 });
  });
});

describe('Redis store while Redis is away', () => {
  let dir: string;
  let port: number;
  let redis: ChildProcess | undefined;
  const kill = async (): Promise<void> => {
    const child = redis;
    redis = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-redis-away-'));
    port = await freePort();
    redis = await startRedis(port, dir);
  });
  afterAll(async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails fast while Redis is down, resets its follower and writes again once it is back', async () => {
    const url = `redis://127.0.0.1:${port}`;
    const store = await connect({ prefix: newPrefix(), url });
    await store.commit(0, [nsMutation('ns-a')]);
    await store.snapshot();
    let resets = 0;
    store.follow(1, {
      change: () => undefined,
      reset: () => {
        resets++;
      },
    });
    await kill();

    for (const call of [store.commit(1, [nsMutation('ns-b')]), store.snapshot(), store.changesSince(0), store.heartbeat('r', 1000)]) {
      const { ms, rejected } = await timed(call);
      expect(rejected).toBe(true);
      expect(ms).toBeLessThan(1000);
    }

    redis = await startRedis(port, dir); // empty: it kept nothing
    await eventually(async () => expect(await store.commit(0, [nsMutation('ns-b')])).toEqual({ ok: true, revision: 1 }));
    await eventually(() => expect(resets).toBe(1));
  });

  it('refuses to start within its start timeout when Redis cannot be reached, and closes without hanging', async () => {
    const closed = await freePort();
    const { ms, rejected } = await timed(
      RedisStore.connect({ url: `redis://127.0.0.1:${closed}`, prefix: newPrefix(), startTimeoutMs: 500 }),
    );
    expect(rejected).toBe(true);
    expect(ms).toBeLessThan(2000);
    await expect(RedisStore.connect({ url: `redis://127.0.0.1:${closed}`, prefix: 'p', startTimeoutMs: 300 })).rejects.toThrow(
      /Cannot reach Redis at redis:\/\/127\.0\.0\.1/,
    );
  });

  it('closes promptly while Redis is down', async () => {
    if (!redis) redis = await startRedis(port, dir);
    const store = await RedisStore.connect({ url: `redis://127.0.0.1:${port}`, prefix: newPrefix(), followBlockMs: 300 });
    store.follow(0, { change: () => undefined, reset: () => undefined });
    await kill();
    const { ms } = await timed(store.close());
    expect(ms).toBeLessThan(1500);
  });
});

describe('Redis URL forms', () => {
  it.each([
    { url: 'redis://127.0.0.1:6380', target: { kind: 'standalone', url: 'redis://127.0.0.1:6380' } },
    { url: 'rediss://user:secret@redis.example:6380/2', target: { kind: 'standalone', url: 'rediss://user:secret@redis.example:6380/2' } },
    {
      url: 'redis+sentinel://10.0.0.1:26379,10.0.0.2:26380/mymaster',
      target: {
        kind: 'sentinel',
        name: 'mymaster',
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26380 },
        ],
      },
    },
    {
      url: 'redis+sentinel://:p%40ss@s1,[::1]:26381/main/3',
      target: {
        kind: 'sentinel',
        name: 'main',
        password: 'p@ss',
        db: 3,
        sentinels: [
          { host: 's1', port: 26379 },
          { host: '::1', port: 26381 },
        ],
      },
    },
    {
      url: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7001,[fd00::3]:7002',
      target: {
        kind: 'cluster',
        nodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: '10.0.0.2', port: 7001 },
          { host: 'fd00::3', port: 7002 },
        ],
      },
    },
    {
      url: 'redis+cluster://cairn:p%40ss@node-a,node-b:7001/',
      target: {
        kind: 'cluster',
        username: 'cairn',
        password: 'p@ss',
        nodes: [
          { host: 'node-a', port: 6379 },
          { host: 'node-b', port: 7001 },
        ],
      },
    },
  ])('reads $url', ({ url, target }) => {
    expect(parseRedisTarget(url)).toEqual(target);
  });

  it.each([
    'http://x:1',
    'redis+sentinel://host:1',
    'redis+sentinel://host:notaport/m',
    'redis+cluster://',
    'redis+cluster://a:1,b:70000',
    'redis+cluster://a:1,,b:2',
    'redis+cluster://a:1/0',
  ])('refuses %s', (url) => {
    expect(() => parseRedisTarget(url)).toThrow();
  });

  it('reaches the master through Sentinel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-sentinel-'));
    const [masterPort, sentinelPort] = [await freePort(), await freePort()];
    const children = [await startRedis(masterPort, dir)];
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, `port ${sentinelPort}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor cairnmaster 127.0.0.1 ${masterPort} 1\n`);
    try {
      children.push(await startProcess([conf, '--sentinel'], '+monitor'));
      const store = await connect({ prefix: newPrefix(), url: `redis+sentinel://127.0.0.1:${sentinelPort}/cairnmaster` });
      expect(await store.commit(0, [nsMutation('ns-a')])).toEqual({ ok: true, revision: 1 });
      expect((await store.snapshot()).tables.namespaces.get('ns-a')).toEqual(namespace('ns-a'));
      const raw = new Redis(masterPort, '127.0.0.1');
      expect((await raw.keys('*')).some((k) => k.endsWith(':t:namespaces'))).toBe(true);
      await raw.quit();
    } finally {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      for (const child of children.reverse()) await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
