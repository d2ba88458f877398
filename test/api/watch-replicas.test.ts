// Watches ride the change feed: a change written through replica A wakes the streams and blocking
// queries on replica B (two replicas on one Redis), and B can resume a stream A served.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  RegisterInstanceCommand,
} from '@aws-sdk/client-servicediscovery';
import { eventually } from '../support/eventually.ts';
import { newPrefix, startTestServer, type TestServer } from '../support/server.ts';
import { SseClient } from '../support/sse.ts';

describe('watches across replicas on one Redis', () => {
  let a: TestServer;
  let b: TestServer;
  let serviceId: string;
  const streams: SseClient[] = [];
  const watch = async (t: TestServer, headers: Record<string, string> = {}) => {
    const s = await SseClient.open(`${t.endpoint}/v1/watch?namespace=kouzie.com&service=backend`, headers);
    streams.push(s);
    return s;
  };
  const register = (id: string) =>
    a.client.send(new RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: id, Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } }));

  beforeAll(async () => {
    const prefix = newPrefix();
    a = await startTestServer({ store: 'redis', prefix });
    b = await startTestServer({ store: 'redis', prefix });
    const { OperationId } = await a.client.send(new CreateHttpNamespaceCommand({ Name: 'kouzie.com' }));
    const nsId = (await a.client.send(new GetOperationCommand({ OperationId }))).Operation!.Targets!.NAMESPACE!;
    serviceId = (await a.client.send(new CreateServiceCommand({ Name: 'backend', NamespaceId: nsId }))).Service!.Id!;
    await eventually(async () =>
      expect((await fetch(`${b.endpoint}/v1/namespaces/kouzie.com/services/backend/instances`)).status).toBe(200),
    );
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('streams on B a registration made through A', async () => {
    const s = await watch(b);
    const snapshot = await s.next();
    expect(snapshot.event).toBe('snapshot');
    const revision = snapshot.data.revision;
    await register('from-a');
    expect(await s.next()).toMatchObject({
      id: String(revision + 1),
      event: 'change',
      data: { revision: revision + 1, changes: [{ type: 'register', instanceId: 'from-a' }], instances: [{ InstanceId: 'from-a' }] },
    });
  });

  it('answers a blocking query on B when a change is written through A', async () => {
    const current = (await (await fetch(`${b.endpoint}/v1/namespaces/kouzie.com/services/backend/instances`)).json()) as {
      InstancesRevision: number;
    };
    const answer = fetch(`${b.endpoint}/v1/namespaces/kouzie.com/services/backend/instances?revision=${current.InstancesRevision}&wait=5s`);
    await eventually(() => expect(b.server.watches.watches).toBe(1));
    await register('wakes-b');
    const body = (await (await answer).json()) as { InstancesRevision: number; Instances: { InstanceId: string }[] };
    expect(body.InstancesRevision).toBe(current.InstancesRevision + 1);
    expect(body.Instances.map((i) => i.InstanceId)).toContain('wakes-b');
  });

  it('resumes on B, without a snapshot, a stream that A served', async () => {
    const onA = await watch(a);
    const last = (await onA.next()).id!;
    onA.close();
    await register('missed-1');
    await register('missed-2');
    const onB = await watch(b, { 'last-event-id': last });
    const first = await onB.next();
    const second = await onB.next();
    expect([first.event, first.id, first.data.changes]).toEqual([
      'change',
      String(Number(last) + 1),
      [{ type: 'register', instanceId: 'missed-1' }],
    ]);
    expect([second.event, second.id, second.data.changes]).toEqual([
      'change',
      String(Number(last) + 2),
      [{ type: 'register', instanceId: 'missed-2' }],
    ]);
  });
});
