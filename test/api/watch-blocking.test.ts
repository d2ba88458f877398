// Blocking queries (docs/cloud-map-api.md#watching): GET /v1/namespaces/{ns}/services/{svc}/instances
// answers at once when the revision differs, holds until it changes or `wait` ends otherwise, and
// selects instances as DiscoverInstances does, all of them unless `max` says otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteServiceCommand,
  DeregisterInstanceCommand,
  RegisterInstanceCommand,
  UpdateInstanceCustomHealthStatusCommand,
} from '@aws-sdk/client-servicediscovery';
import type { NamespaceRecord, ServiceRecord } from '../../src/model/records.ts';
import { TestClock } from '../support/clock.ts';
import { eventually } from '../support/eventually.ts';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface Answer {
  status: number;
  body: {
    Instances?: { InstanceId: string; HealthStatus: string; Attributes: Record<string, string> }[];
    InstancesRevision?: number;
    __type?: string;
  };
  headers: Headers;
}

const get = async (t: TestServer, path: string, signal?: AbortSignal): Promise<Answer> => {
  const res = await fetch(`${t.endpoint}${path}`, signal ? { signal } : {});
  return { status: res.status, body: (await res.json()) as Answer['body'], headers: res.headers };
};
const ids = (a: Answer) => (a.body.Instances ?? []).map((i) => i.InstanceId).sort();
const settled = async (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('blocking queries', () => {
  let t: TestServer;
  let ns: NamespaceRecord;
  let n = 0;
  const fresh = (extra: Partial<ServiceRecord> = {}) => seedService(t.server, { name: `svc${n++}`, namespaceId: ns.id, ...extra });
  const path = (s: ServiceRecord, query = '') => `/v1/namespaces/kouzie.com/services/${s.name}/instances${query ? `?${query}` : ''}`;
  const register = (s: ServiceRecord, id: string, attributes: Record<string, string> = {}) =>
    t.client.send(new RegisterInstanceCommand({ ServiceId: s.id, InstanceId: id, Attributes: attributes }));

  beforeAll(async () => {
    t = await startTestServer();
    ns = await seedNamespace(t.server, { name: 'kouzie.com', type: 'HTTP' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers at once, with the instances and revision, when the revision differs or is not given', async () => {
    const s = await fresh();
    await register(s, 'a', { AWS_INSTANCE_IPV4: '10.0.0.1' });
    await register(s, 'b');
    for (const query of ['', 'revision=0&wait=2s', 'revision=99&wait=2s']) {
      const started = Date.now();
      const a = await get(t, path(s, query));
      expect(Date.now() - started).toBeLessThan(1000);
      expect(a.status).toBe(200);
      expect(a.headers.get('content-type')).toBe('application/json');
      expect(a.body.InstancesRevision).toBe(2);
      expect(a.body.Instances).toContainEqual({
        InstanceId: 'a',
        NamespaceName: 'kouzie.com',
        ServiceName: s.name,
        HealthStatus: 'UNKNOWN',
        Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' },
      });
      expect(ids(a)).toEqual(['a', 'b']);
    }
  });

  it('holds a query at the current revision until a change, then answers with the new revision and instances', async () => {
    const s = await fresh();
    await register(s, 'a');
    const answer = get(t, path(s, 'revision=1&wait=2s'));
    await eventually(() => expect(t.server.watches.watches).toBe(1));
    expect(await settled(answer, 100)).toBe(false);
    await register(s, 'b');
    const a = await answer;
    expect([a.status, a.body.InstancesRevision, ids(a)]).toEqual([200, 2, ['a', 'b']]);
    expect(t.server.watches.watches).toBe(0);
  });

  it('wakes on a deregistration and on a health flip too', async () => {
    const s = await fresh({ healthCheckCustomConfig: { failureThreshold: 1 } });
    await register(s, 'a');
    await register(s, 'b');
    let answer = get(t, path(s, 'revision=2&wait=2s'));
    await eventually(() => expect(t.server.watches.watches).toBe(1));
    await t.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: s.id, InstanceId: 'a', Status: 'UNHEALTHY' }));
    let a = await answer;
    expect([a.body.InstancesRevision, ids(a)]).toEqual([3, ['b']]); // HEALTHY by default, as DiscoverInstances
    answer = get(t, path(s, 'revision=3&wait=2s&health=ALL'));
    await eventually(() => expect(t.server.watches.watches).toBe(1));
    await t.client.send(new DeregisterInstanceCommand({ ServiceId: s.id, InstanceId: 'b' }));
    a = await answer;
    expect([a.body.InstancesRevision, a.body.Instances?.map((i) => `${i.InstanceId} ${i.HealthStatus}`)]).toEqual([4, ['a UNHEALTHY']]);
  });

  it('answers with the same revision when the wait ends', async () => {
    const s = await fresh();
    await register(s, 'a');
    const started = Date.now();
    const a = await get(t, path(s, 'revision=1&wait=300ms'));
    const took = Date.now() - started;
    expect([a.status, a.body.InstancesRevision, ids(a)]).toEqual([200, 1, ['a']]);
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
  });

  it('selects as DiscoverInstances does: query.KEY, optional.KEY, health, max; all instances by default', async () => {
    const s = await fresh({ healthCheckCustomConfig: { failureThreshold: 1 } });
    for (let i = 0; i < 105; i++)
      await seedInstance(
        t.server,
        s.id,
        `i${i}`,
        { version: i % 2 === 0 ? '2' : '1', zone: i < 10 ? 'a' : 'b' },
        i === 0 ? 'UNHEALTHY' : 'HEALTHY',
      );
    expect((await get(t, path(s))).body.Instances).toHaveLength(104); // every healthy one: not DiscoverInstances' 100
    expect((await get(t, path(s, 'health=ALL'))).body.Instances).toHaveLength(105);
    expect(ids(await get(t, path(s, 'health=UNHEALTHY')))).toEqual(['i0']);
    const v2 = await get(t, path(s, 'query.version=2&health=ALL'));
    expect(v2.body.Instances).toHaveLength(53);
    expect(v2.body.Instances!.every((i) => i.Attributes.version === '2')).toBe(true);
    expect(ids(await get(t, path(s, 'query.version=2&query.zone=a')))).toEqual(['i2', 'i4', 'i6', 'i8']);
    expect(ids(await get(t, path(s, 'query.zone=a&optional.version=1')))).toEqual(['i1', 'i3', 'i5', 'i7', 'i9']);
    expect(ids(await get(t, path(s, 'query.zone=a&optional.version=9')))).toHaveLength(9); // no match: ignored
    expect((await get(t, path(s, 'max=7'))).body.Instances).toHaveLength(7);
  });

  it('refuses bad input in the AWS error shape', async () => {
    const s = await fresh();
    const cases: [string, number, string][] = [
      ['/v1/namespaces/nowhere.example/services/x/instances', 400, 'NamespaceNotFound'],
      ['/v1/namespaces/kouzie.com/services/nothing-here/instances', 400, 'ServiceNotFound'],
      [path(s, 'revision=abc'), 400, 'InvalidInput'],
      [path(s, 'wait=30'), 400, 'InvalidInput'],
      [path(s, 'health=SOMETIMES'), 400, 'InvalidInput'],
      [path(s, 'max=0'), 400, 'InvalidInput'],
      [path(s, 'revision=1&revision=2'), 400, 'InvalidInput'],
      [path(s, 'index=3'), 400, 'InvalidInput'],
      [path(s, `query.${'k'.repeat(300)}=v`), 400, 'InvalidInput'],
    ];
    for (const [p, status, type] of cases) {
      const a = await get(t, p);
      expect([a.status, a.body.__type, a.headers.get('x-amzn-errortype')], p).toEqual([status, type, type]);
      expect(a.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers ServiceNotFound to a query waiting on a service that is deleted', async () => {
    const s = await fresh();
    const answer = get(t, path(s, 'revision=0&wait=2s'));
    await eventually(() => expect(t.server.watches.watches).toBe(1));
    await t.client.send(new DeleteServiceCommand({ Id: s.id }));
    const a = await answer;
    expect([a.status, a.body.__type]).toEqual([400, 'ServiceNotFound']);
  });

  it('frees the watch of a client that goes away while waiting', async () => {
    const s = await fresh();
    const abort = new AbortController();
    const answer = get(t, path(s, 'revision=0&wait=2s'), abort.signal).catch(() => 'aborted');
    await eventually(() => expect(t.server.watches.watches).toBe(1));
    abort.abort();
    expect(await answer).toBe('aborted');
    await eventually(() => expect(t.server.watches.watches).toBe(0));
  });
});

describe('blocking queries on a test clock', () => {
  const clock = new TestClock();
  let t: TestServer;
  const query = '/v1/namespaces/kouzie.com/services/backend/instances?revision=0';
  beforeAll(async () => {
    t = await startTestServer({ timers: clock, flags: ['--watch-max-wait', '1m'] });
    const ns = await seedNamespace(t.server, { name: 'kouzie.com', type: 'HTTP' });
    await seedService(t.server, { name: 'backend', namespaceId: ns.id });
  });
  afterAll(async () => {
    await t.stop();
  });

  /** Starts the query and moves the clock: whether it answered `ms` before its end, and at its end. */
  const answersAfter = async (path: string, ms: number) => {
    const answer = get(t, path);
    await eventually(() => expect(t.server.watches.watches).toBe(1));
    await clock.advance(ms - 1);
    const early = await settled(answer, 50);
    await clock.advance(1);
    const a = await answer;
    expect([a.status, a.body]).toEqual([200, { Instances: [], InstancesRevision: 0 }]);
    return early;
  };

  it('waits as long as `wait` says, on the replica clock', async () => {
    expect(await answersAfter(`${query}&wait=30s`, 30_000)).toBe(false);
  });
  it('waits at most --watch-max-wait, which is also the wait when none is given', async () => {
    expect(await answersAfter(`${query}&wait=10m`, 60_000)).toBe(false);
    expect(await answersAfter(query, 60_000)).toBe(false);
  });
});
