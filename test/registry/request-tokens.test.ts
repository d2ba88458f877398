// Request tokens (CreatorRequestId, UpdaterRequestId) are what make a write whose answer was lost safe to
// retry: the retry returns the first outcome even when it is planned before the catalog has seen the
// first write, a token reused for another request is refused, and a token is known while its operation is.
import { CreateHttpNamespaceCommand, GetOperationCommand, RegisterInstanceCommand } from '@aws-sdk/client-servicediscovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog, CatalogFollower } from '../../src/catalog/index.ts';
import { WriteOutcomeUnknown } from '../../src/model/errors.ts';
import { createRegistry } from '../../src/registry/index.ts';
import { registerInstance } from '../../src/registry/instances.ts';
import { MemoryStore } from '../../src/store/memory/memory-store.ts';
import type { Change, FeedHandlers, Mutation, Snapshot, Tables } from '../../src/model/changes.ts';
import type { CommitResult, Store } from '../../src/store/index.ts';
import { errorOf } from '../support/sdk-errors.ts';
import { seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { silentLog } from '../../src/model/log.ts';

/**
 * A real memory store whose next commit is applied but answered as Redis answers when it stops replying,
 * and whose feed can be held back: the replica then does not know about the write it made.
 */
class LostAnswerStore implements Store {
  readonly kind = 'memory' as const;
  readonly inner = new MemoryStore();
  loseNextAnswer = false;
  holdFeed = false;
  private readonly held: (() => void)[] = [];

  snapshot(newTables?: () => Tables): Promise<Snapshot> {
    return this.inner.snapshot(newTables);
  }
  changesSince(revision: number): Promise<Change[] | null> {
    return this.inner.changesSince(revision);
  }
  heartbeat(replicaId: string, ttlMs: number): Promise<string[]> {
    return this.inner.heartbeat(replicaId, ttlMs);
  }
  reachability(): { up: boolean; downMs: number } {
    return this.inner.reachability();
  }
  leave(replicaId: string): Promise<void> {
    return this.inner.leave(replicaId);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  lagSeconds(revision: number): Promise<number> {
    return this.inner.lagSeconds(revision);
  }

  async commit(expected: number, mutations: Mutation[]): Promise<CommitResult> {
    const result = await this.inner.commit(expected, mutations);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new WriteOutcomeUnknown();
    }
    return result;
  }

  follow(revision: number, handlers: FeedHandlers): () => void {
    return this.inner.follow(revision, {
      change: (c) => {
        if (this.holdFeed) this.held.push(() => handlers.change(c));
        else handlers.change(c);
      },
      reset: () => handlers.reset(),
    });
  }
}

describe('a retry planned before the catalog has seen the first write', () => {
  it('loses on the revision, catches up and returns the OperationId of the write that was applied', async () => {
    const store = new LostAnswerStore();
    const catalog = new Catalog();
    const follower = new CatalogFollower(store, catalog, silentLog);
    await follower.start();
    const ctx = createRegistry({
      store,
      catalog,
      catchUp: () => follower.catchUp(),
      account: { region: 'us-east-1', accountId: '123456789012' },
      defaultSoaTtl: 15,
      operationRetentionMs: 86_400_000,
    });
    const writer = ctx.writer;
    await writer.write(() => ({
      mutations: [{ table: 'namespaces', key: 'ns-1', value: { id: 'ns-1', name: 'n', type: 'HTTP', httpName: 'n', createDate: 1 } }],
      result: null,
    }));
    await writer.write(() => ({
      mutations: [
        {
          table: 'services',
          key: 'srv-1',
          value: { id: 'srv-1', name: 's', namespaceId: 'ns-1', type: 'HTTP', createDate: 1, attributes: {}, instancesRevision: 0 },
        },
      ],
      result: null,
    }));
    const input = { ServiceId: 'srv-1', InstanceId: 'i-1', CreatorRequestId: 'tok-1', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } };

    store.holdFeed = true;
    store.loseNextAnswer = true;
    const lost = await registerInstance(ctx, input).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(lost).toBeInstanceOf(WriteOutcomeUnknown);
    expect(lost!.message).toMatch(/may or may not have been applied\. Retry with the same CreatorRequestId/);
    expect(catalog.instance('srv-1', 'i-1')).toBeUndefined(); // applied in the store, unknown to this replica
    const head = (await store.snapshot()).revision;
    expect(head).toBe(catalog.revision + 1);

    const { OperationId } = await registerInstance(ctx, input);
    const snap = await store.snapshot();
    expect(snap.revision).toBe(head); // nothing written by the retry
    const ops = [...snap.tables.operations.values()].filter((o) => o.requestId === 'tok-1');
    expect(ops.map((o) => o.id)).toEqual([OperationId]);
    expect(catalog.instance('srv-1', 'i-1')).toBeDefined();
    follower.close();
  });
});

describe('request tokens through the API', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('refuses a CreatorRequestId reused for another namespace with DuplicateRequest naming the first operation', async () => {
    const first = await t.client.send(new CreateHttpNamespaceCommand({ Name: 'first', CreatorRequestId: 'ns-tok' }));
    const e = await errorOf(t.client.send(new CreateHttpNamespaceCommand({ Name: 'second', CreatorRequestId: 'ns-tok' })));
    expect(e.name).toBe('DuplicateRequest');
    expect(e.DuplicateOperationId).toBe(first.OperationId);
    expect(t.server.catalog.namespaceByHttp('second')).toBeUndefined();
    // The same request again is a retry.
    expect((await t.client.send(new CreateHttpNamespaceCommand({ Name: 'first', CreatorRequestId: 'ns-tok' }))).OperationId).toBe(
      first.OperationId,
    );
  });

  it('knows a token while its operation is kept: after --operation-retention a registration is a new one that GetOperation finds', async () => {
    const ns = await seedNamespace(t.server, { name: 'kept', type: 'HTTP' });
    const s = await seedService(t.server, { name: 'svc', namespaceId: ns.id });
    const send = () =>
      t.client.send(new RegisterInstanceCommand({ ServiceId: s.id, InstanceId: 'i-1', CreatorRequestId: 'reg-tok', Attributes: {} }));
    const first = (await send()).OperationId!;
    expect((await send()).OperationId).toBe(first);

    const realNow = t.server.ctx.now;
    const later = realNow() + 31 * 86_400_000; // past the 30 days' default retention
    t.server.ctx.now = () => later;
    try {
      const again = (await send()).OperationId!;
      expect(again).not.toBe(first);
      const { Operation } = await t.client.send(new GetOperationCommand({ OperationId: again }));
      expect(Operation).toMatchObject({ Id: again, Type: 'REGISTER_INSTANCE', Status: 'SUCCESS' });
    } finally {
      t.server.ctx.now = realNow;
    }
  });
});
