// Writes whose outcome is unknown: a commit sent to a Redis that stops answering may still be applied when
// it resumes. The 503 says which case it is, and a retry with the same request token returns the outcome
// of the write that was applied, on any replica, and never applies it twice.
import {
  CreateHttpNamespaceCommand,
  CreatePrivateDnsNamespaceCommand,
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  RegisterInstanceCommand,
  UpdateHttpNamespaceCommand,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationRecord } from '../../src/model/records.ts';
import { ownRedis, type OwnRedis } from '../support/own-redis.ts';
import { errorOf } from '../support/sdk-errors.ts';
import { newPrefix, startTestServer, type TestServer } from '../support/server.ts';
import { eventually } from '../support/eventually.ts';

const UNKNOWN =
  /did not answer in time; the write may or may not have been applied\. Retry with the same (CreatorRequestId|UpdaterRequestId)/;
const NOT_SENT = /unreachable; nothing was written/;

/** One write with a request token, and how to read its outcome from a response. */
interface TokenWrite {
  name: string;
  send(client: ServiceDiscoveryClient): Promise<string>;
  /** The operation (or resource) the store holds for this token, and how many there are. */
  applied(ops: OperationRecord[], store: Awaited<ReturnType<TestServer['server']['store']['snapshot']>>): string[];
}

describe('a write sent to a Redis that stops answering', () => {
  let redis: OwnRedis;
  let a: TestServer;
  let b: TestServer;
  let serviceId: string;
  let updatedNs: string;
  beforeAll(async () => {
    redis = await ownRedis();
    const prefix = newPrefix();
    const flags = ['--redis-url', redis.url, '--redis-prefix', prefix, '--vpc', 'vpc-1=10.0.0.0/8'];
    a = await startTestServer({ flags, prefix });
    b = await startTestServer({ flags, prefix });
    await a.client.send(new CreateHttpNamespaceCommand({ Name: 'base' }));
    const base = a.server.catalog.namespaceByHttp('base')!.id;
    serviceId = (await a.client.send(new CreateServiceCommand({ Name: 'api', NamespaceId: base }))).Service!.Id!;
    await a.client.send(new CreateHttpNamespaceCommand({ Name: 'updated' }));
    updatedNs = a.server.catalog.namespaceByHttp('updated')!.id;
  });
  afterAll(async () => {
    redis.thaw();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis.stop();
  });

  it('answers 503 saying whether it may have been applied; a retry with the same token returns the applied outcome once', async () => {
    const opsOf = (ops: OperationRecord[], type: OperationRecord['type'], token: string): string[] =>
      ops.filter((o) => o.type === type && o.requestId === token).map((o) => o.id);
    const writes: TokenWrite[] = [
      {
        name: 'CreateHttpNamespace',
        send: async (c) =>
          (await c.send(new CreateHttpNamespaceCommand({ Name: 'frozen-http', CreatorRequestId: 'tok-http' }))).OperationId!,
        applied: (ops) => opsOf(ops, 'CREATE_NAMESPACE', 'tok-http'),
      },
      {
        name: 'CreateService',
        send: async (c) =>
          (await c.send(new CreateServiceCommand({ Name: 'frozen-svc', NamespaceId: updatedNs, CreatorRequestId: 'tok-svc' }))).Service!
            .Id!,
        applied: (_ops, snap) => [...snap.tables.services.values()].filter((s) => s.creatorRequestId === 'tok-svc').map((s) => s.id),
      },
      {
        name: 'RegisterInstance',
        send: async (c) =>
          (
            await c.send(
              new RegisterInstanceCommand({
                ServiceId: serviceId,
                InstanceId: 'i-1',
                CreatorRequestId: 'tok-reg',
                Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' },
              }),
            )
          ).OperationId!,
        applied: (ops) => opsOf(ops, 'REGISTER_INSTANCE', 'tok-reg'),
      },
      {
        name: 'UpdateHttpNamespace',
        send: async (c) =>
          (
            await c.send(
              new UpdateHttpNamespaceCommand({ Id: updatedNs, UpdaterRequestId: 'tok-upd', Namespace: { Description: 'frozen' } }),
            )
          ).OperationId!,
        applied: (ops) => opsOf(ops, 'UPDATE_NAMESPACE', 'tok-upd'),
      },
      {
        name: 'CreatePublicDnsNamespace',
        send: async (c) =>
          (await c.send(new CreatePublicDnsNamespaceCommand({ Name: 'frozen.example', CreatorRequestId: 'tok-pub' }))).OperationId!,
        applied: (ops) => opsOf(ops, 'CREATE_NAMESPACE', 'tok-pub'),
      },
      {
        name: 'CreatePrivateDnsNamespace',
        send: async (c) =>
          (await c.send(new CreatePrivateDnsNamespaceCommand({ Name: 'frozen.private', Vpc: 'vpc-1', CreatorRequestId: 'tok-priv' })))
            .OperationId!,
        applied: (ops) => opsOf(ops, 'CREATE_NAMESPACE', 'tok-priv'),
      },
    ];
    // Half the writes go to each replica; each replica's first one is in flight when Redis stops.
    const first = (i: number): TestServer => (i % 2 === 0 ? a : b);
    const other = (i: number): TestServer => (i % 2 === 0 ? b : a);

    // Both replicas at the head, so each one's first write goes straight to a commit (no catch-up first).
    await eventually(async () => expect(b.server.catalog.revision).toBe(a.server.catalog.revision), 10_000, 50);
    redis.freeze();
    const failures = await Promise.all(
      writes.map(async (w, i) => {
        const started = performance.now();
        const e = await errorOf(w.send(first(i).client));
        return { e, ms: performance.now() - started };
      }),
    );
    for (const [i, { e, ms }] of failures.entries()) {
      expect(e.name, writes[i]!.name).toBe('ServiceUnavailable');
      expect(e.$metadata.httpStatusCode).toBe(503);
      expect(e.message, writes[i]!.name).toMatch(new RegExp(`${UNKNOWN.source}|${NOT_SENT.source}`));
      expect(ms, writes[i]!.name).toBeLessThan(1000);
    }
    const unknown = failures.map((f, i) => (UNKNOWN.test(f.e.message) ? i : -1)).filter((i) => i >= 0);
    for (const i of unknown)
      expect(failures[i]!.e.message).toContain(writes[i]!.name.startsWith('Update') ? 'UpdaterRequestId' : 'CreatorRequestId');
    // One commit per replica was on the wire when Redis stopped (a replica serialises its writes).
    expect(unknown.length).toBe(2);

    redis.thaw();
    // What Redis holds once it has worked through what was sent before it stopped.
    const snap = await eventually(() => a.server.store.snapshot(), 10_000, 50);
    const ops = [...snap.tables.operations.values()];
    const appliedBefore = writes.map((w) => w.applied(ops, snap));
    // Never sent: never applied.
    for (const [i, ids] of appliedBefore.entries()) if (!unknown.includes(i)) expect(ids, writes[i]!.name).toEqual([]);
    // Sent without an answer: both commits expected the same head revision, so Redis applied the one it
    // read first when it resumed, and the other lost on the revision.
    expect(unknown.map((i) => appliedBefore[i]!.length).sort()).toEqual([0, 1]);

    // Retries with the same tokens, on the other replica first (its catalog may not have seen the write yet).
    const retried = await Promise.all(writes.map((w, i) => eventually(() => w.send(other(i).client), 10_000, 50)));
    const again = await Promise.all(writes.map((w, i) => w.send(first(i).client)));
    const after = await a.server.store.snapshot();
    const opsAfter = [...after.tables.operations.values()];
    for (const [i, w] of writes.entries()) {
      const ids = w.applied(opsAfter, after);
      expect(ids.length, w.name).toBe(1);
      expect(retried[i], w.name).toBe(ids[0]);
      expect(again[i], w.name).toBe(ids[0]);
      // The write applied while this replica was told nothing is the one the retries return.
      if (appliedBefore[i]!.length > 0) expect(ids, w.name).toEqual(appliedBefore[i]);
    }
    const names = [...after.tables.namespaces.values()].map((n) => n.name).sort();
    expect(names).toEqual(['base', 'frozen-http', 'frozen.example', 'frozen.private', 'updated']);
    expect([...after.tables.instances.keys()].length).toBe(1);
    expect(after.tables.namespaces.get(updatedNs)!.description).toBe('frozen');
  });
});

describe('--redis-timeout', () => {
  it('is how long a write waits for a Redis that stopped answering; writes after it fail at once', async () => {
    const redis = await ownRedis();
    const t = await startTestServer({ flags: ['--redis-url', redis.url, '--redis-prefix', newPrefix(), '--redis-timeout', '200ms'] });
    try {
      await t.client.send(new CreateHttpNamespaceCommand({ Name: 'before' }));
      redis.freeze();
      const timed = async (name: string): Promise<number> => {
        const started = performance.now();
        expect((await errorOf(t.client.send(new CreateHttpNamespaceCommand({ Name: name })))).name).toBe('ServiceUnavailable');
        return performance.now() - started;
      };
      // Under the 500 ms default: the setting is what bounds the wait.
      expect(await timed('first')).toBeLessThan(450);
      // At once: not the 200 ms that the first one waited.
      expect(await timed('second')).toBeLessThan(180);
    } finally {
      redis.thaw();
      await t.stop();
      await redis.stop();
    }
  });
});

describe('a write Redis refuses', () => {
  it('answers 503 saying nothing was written, and writes again once Redis accepts', async () => {
    const redis = await ownRedis();
    const t = await startTestServer({ flags: ['--redis-url', redis.url, '--redis-prefix', newPrefix()] });
    const admin = new Redis(redis.url);
    try {
      await t.client.send(new CreateHttpNamespaceCommand({ Name: 'before' }));
      await admin.config('SET', 'maxmemory', '1');
      const e = await errorOf(t.client.send(new CreateHttpNamespaceCommand({ Name: 'refused', CreatorRequestId: 'tok-oom' })));
      expect(e.name).toBe('ServiceUnavailable');
      expect(e.message).toBe('The registry store refused the write (OOM); nothing was written. Retry later.');
      await admin.config('SET', 'maxmemory', '0');
      const snap = await t.server.store.snapshot();
      expect([...snap.tables.namespaces.values()].map((n) => n.name)).toEqual(['before']);
      await t.client.send(new CreateHttpNamespaceCommand({ Name: 'refused', CreatorRequestId: 'tok-oom' }));
      expect(t.server.catalog.namespaceByHttp('refused')).toBeDefined();
    } finally {
      admin.disconnect();
      await t.stop();
      await redis.stop();
    }
  });
});
