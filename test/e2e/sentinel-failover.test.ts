// A Sentinel failover (SENTINEL FAILOVER) in the middle of a stream of registrations through two cairn
// replicas with --redis-wait-replicas 1 (one Redis replica): every registration answered 2xx is still there
// after it, writes work again once the new master has its replica back, and DNS answers every query
// throughout. Without the WAIT the old master goes on acknowledging writes for about a second after the
// replica was promoted, and they are lost when it is turned into a replica (README, Redis deployments).
import {
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  ListInstancesCommand,
  RegisterInstanceCommand,
} from '@aws-sdk/client-servicediscovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, startSentinels, until, type SentinelDeployment } from '../support/redis-deployments.ts';
import { newPrefix, startTestServer, type TestServer } from '../support/server.ts';
import { decode, encodeQuery, udpRaw } from '../dns/dns-client.ts';
import { eventually } from '../support/eventually.ts';

let sentinel: SentinelDeployment;
let prefix: string;
let a: TestServer;
let b: TestServer;
let serviceId: string;
const servers: TestServer[] = [];

const start = async (): Promise<TestServer> => {
  const t = await startTestServer({
    flags: [
      '--redis-url',
      sentinel.url,
      '--redis-prefix',
      prefix,
      '--redis-wait-replicas',
      '1',
      '--max-instances-per-service',
      '100000',
      '--max-instances-per-namespace',
      '100000',
    ],
  });
  servers.push(t);
  return t;
};

beforeAll(async () => {
  sentinel = await startSentinels(1);
  prefix = newPrefix();
  a = await start();
  b = await start();
  const { OperationId } = await a.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'failover.example' }));
  const nsId = (await a.client.send(new GetOperationCommand({ OperationId }))).Operation!.Targets!.NAMESPACE!;
  const { Service } = await a.client.send(
    new CreateServiceCommand({ Name: 'web', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } }),
  );
  serviceId = Service!.Id!;
  await a.client.send(
    new RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: 'first', Attributes: { AWS_INSTANCE_IPV4: '10.9.0.1' } }),
  );
  await eventually(async () => expect(await dnsAnswers(b)).toBe(true));
}, 60_000);

afterAll(async () => {
  for (const t of servers.splice(0)) await t.stop();
  await sentinel?.stop();
});

/** Whether the replica answers web.failover.example with at least one address, within a second. */
async function dnsAnswers(t: TestServer): Promise<boolean> {
  const raw = await udpRaw(t.server.dnsAddress.port, encodeQuery({ name: 'web.failover.example', type: 'A' }), { timeoutMs: 1000 });
  if (!raw) return false;
  const reply = decode(raw);
  return reply.packet.rcode === 'NOERROR' && (reply.packet.answers ?? []).length > 0;
}

interface Outcome {
  id: string;
  at: number;
  ok: boolean;
  error?: string;
}

/** Registers instances one after another through `t` until `stop()` holds, adding each outcome to `outcomes`. */
async function writer(t: TestServer, name: string, stop: () => boolean, outcomes: Outcome[]): Promise<void> {
  for (let n = 0; !stop(); n++) {
    const id = `${name}-${n}`;
    const error = await t.client
      .send(
        new RegisterInstanceCommand({
          ServiceId: serviceId,
          InstanceId: id,
          CreatorRequestId: `cr-${id}`,
          Attributes: { AWS_INSTANCE_IPV4: `10.${name === 'a' ? 1 : 2}.${(n >> 8) & 255}.${n & 255}` },
        }),
      )
      .then(
        () => undefined,
        (e: Error) => e.message.slice(0, 60),
      );
    outcomes.push({ id, at: Date.now(), ok: error === undefined, ...(error !== undefined ? { error } : {}) });
    if (error !== undefined) await new Promise((r) => setTimeout(r, 20)); // a client backing off a little, as the SDK would
  }
}

async function dnsProbe(t: TestServer, stop: () => boolean): Promise<{ asked: number; failed: number }> {
  let asked = 0;
  let failed = 0;
  while (!stop()) {
    asked++;
    if (!(await dnsAnswers(t))) failed++;
    await new Promise((r) => setTimeout(r, 5));
  }
  return { asked, failed };
}

async function allInstanceIds(t: TestServer): Promise<Set<string>> {
  const ids = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await t.client.send(new ListInstancesCommand({ ServiceId: serviceId, MaxResults: 100, NextToken }));
    for (const i of page.Instances ?? []) ids.add(i.Id!);
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

describe('a Sentinel failover during a stream of writes', () => {
  it('loses no acknowledged write, writes again within seconds and answers DNS throughout', async () => {
    const masterPort = async (): Promise<number> =>
      Number(
        ((await ask(sentinel.sentinelPorts[0]!, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', sentinel.masterName))) as string[])[1],
      );
    const [oldMaster, ...replicas] = sentinel.dataPorts as [number, number];
    expect(await masterPort()).toBe(oldMaster);

    let stopping = false;
    const stop = (): boolean => stopping;
    const outcomes: Outcome[] = [];
    const writes = Promise.all([writer(a, 'a', stop, outcomes), writer(b, 'b', stop, outcomes)]);
    const dns = Promise.all([dnsProbe(a, stop), dnsProbe(b, stop)]);

    await new Promise((r) => setTimeout(r, 1000));
    const failoverAt = Date.now();
    await ask(sentinel.sentinelPorts[0]!, (r) => r.call('SENTINEL', 'FAILOVER', sentinel.masterName));
    await until(async () => replicas.includes(await masterPort()), 20_000, 'Sentinel to promote the replica');
    const promotedAt = Date.now();
    // Writes go on until they have worked for 1.5 s on the new master (30 s at most).
    const lastFailure = (): number => Math.max(promotedAt, ...outcomes.filter((o) => !o.ok).map((o) => o.at));
    await until(async () => Date.now() - lastFailure() > 1500 || Date.now() - failoverAt > 30_000, 40_000, 'writes to work again');
    stopping = true;
    await writes;
    const probes = await dns;

    const failed = outcomes.filter((o) => !o.ok);
    const acknowledged = outcomes.filter((o) => o.ok);
    const lastFailed = Math.max(failoverAt, ...failed.map((o) => o.at));
    const writesBackMs = Math.min(...acknowledged.filter((o) => o.at > lastFailed).map((o) => o.at)) - failoverAt;
    console.log(
      JSON.stringify({
        promotedMs: promotedAt - failoverAt,
        writesBackMs,
        acknowledged: acknowledged.length,
        failed: failed.length,
        errors: [...new Set(failed.map((o) => o.error))],
        lastFailedMs: lastFailed - failoverAt,
        late: [...new Set(failed.filter((o) => o.at - failoverAt > 13_000).map((o) => `${o.id.slice(0, 1)} ${o.error}`))],
        dns: probes,
      }),
    );

    // The writes went through before, during and after the failover.
    expect(acknowledged.filter((o) => o.at < failoverAt).length).toBeGreaterThan(10);
    expect(acknowledged.filter((o) => o.at > lastFailed).length).toBeGreaterThan(10);
    // Sentinel turns the old master into a replica of the new one about 10 s after the failover; only then
    // can a write reach a replica.
    expect(writesBackMs).toBeLessThan(15_000);
    // Nothing answered 2xx was lost: a replica started afresh on the new master has every one.
    const c = await start();
    const stored = await allInstanceIds(c);
    expect(acknowledged.filter((o) => !stored.has(o.id)).map((o) => o.id)).toEqual([]);
    for (const t of [a, b]) {
      await eventually(() => {
        const held = new Set([...t.server.catalog.instancesOf(serviceId).keys()]);
        expect(acknowledged.filter((o) => !held.has(o.id)).map((o) => o.id)).toEqual([]);
      }, 5000);
    }
    // DNS answered every query, on both replicas, all along.
    for (const p of probes) {
      expect(p.asked).toBeGreaterThan(50);
      expect(p.failed).toBe(0);
    }
  }, 90_000);
});
