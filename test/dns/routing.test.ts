// Record selection (spec §4): MULTIVALUE picks up to 8 distinct healthy records at random, WEIGHTED
// one, both fail open when nothing is healthy; and the picks are really random.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setHealth } from '../../src/registry/health-writes.ts';
import type { ServiceRecord } from '../../src/model/records.ts';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { udp, type Ask } from './dns-client.ts';

let t: TestServer;
let port: number;
let nsId: string;

beforeAll(async () => {
  t = await startTestServer();
  port = t.server.dnsAddress.port;
  nsId = (await seedNamespace(t.server, { name: 'kouzie.com', type: 'DNS_PUBLIC' })).id;
});
afterAll(async () => {
  await t?.stop();
});

async function service(name: string, policy: 'MULTIVALUE' | 'WEIGHTED', type: 'A' | 'CNAME', custom = false): Promise<ServiceRecord> {
  return seedService(t.server, {
    name,
    namespaceId: nsId,
    dnsConfig: { routingPolicy: policy, dnsRecords: [{ type, ttl: 10 }] },
    ...(custom ? { healthCheckCustomConfig: { failureThreshold: 1 } } : {}),
  });
}
const flip = (s: ServiceRecord, id: string, status: 'HEALTHY' | 'UNHEALTHY') =>
  t.server.ctx.writer.write(setHealth(s.id, id, status, Date.now()));

/** The record data of many answers, asked 25 at a time. */
async function answers(ask: Ask, n: number): Promise<string[][]> {
  const out: string[][] = [];
  for (let done = 0; done < n; done += 25) {
    const batch = await Promise.all(Array.from({ length: Math.min(25, n - done) }, () => udp(port, ask)));
    for (const r of batch) {
      expect(r.packet.rcode).toBe('NOERROR');
      out.push((r.packet.answers ?? []).map((a) => String((a as { data: unknown }).data)));
    }
  }
  return out;
}

describe('MULTIVALUE', () => {
  it('answers exactly 8 distinct records out of 10, varying between queries', async () => {
    const s = await service('ten', 'MULTIVALUE', 'A');
    for (let i = 0; i < 10; i++) await seedInstance(t.server, s.id, `i${i}`, { AWS_INSTANCE_IPV4: `10.10.0.${i}` });
    const got = await answers({ name: 'ten.kouzie.com' }, 40);
    for (const a of got) expect(new Set(a).size).toBe(8);
    expect(new Set(got.map((a) => [...a].sort().join())).size).toBeGreaterThan(1);
  });

  it('with 20 healthy and 5 unhealthy instances, every answer has 8 distinct healthy ones and repeated queries cover all 20', async () => {
    const s = await service('twenty', 'MULTIVALUE', 'A', true);
    for (let i = 0; i < 20; i++) await seedInstance(t.server, s.id, `h${i}`, { AWS_INSTANCE_IPV4: `10.20.0.${i}` });
    for (let i = 0; i < 5; i++) await seedInstance(t.server, s.id, `u${i}`, { AWS_INSTANCE_IPV4: `10.20.1.${i}` }, 'UNHEALTHY');
    const healthy = new Set(Array.from({ length: 20 }, (_, i) => `10.20.0.${i}`));
    const seen = new Set<string>();
    for (const a of await answers({ name: 'twenty.kouzie.com' }, 60)) {
      expect(a).toHaveLength(8);
      expect(new Set(a).size).toBe(8);
      for (const addr of a) {
        expect(healthy.has(addr)).toBe(true);
        seen.add(addr);
      }
    }
    expect(seen).toEqual(healthy);
  });

  it('leaves out unhealthy instances, and answers with all of them when none is healthy (fail open)', async () => {
    const s = await service('web', 'MULTIVALUE', 'A', true);
    await seedInstance(t.server, s.id, 'w1', { AWS_INSTANCE_IPV4: '10.1.0.1' });
    await seedInstance(t.server, s.id, 'w2', { AWS_INSTANCE_IPV4: '10.1.0.2' });
    const sorted = async () => (await answers({ name: 'web.kouzie.com' }, 5)).map((a) => [...a].sort());
    expect(await sorted()).toEqual(Array(5).fill(['10.1.0.1', '10.1.0.2']));
    await flip(s, 'w1', 'UNHEALTHY');
    expect(await sorted()).toEqual(Array(5).fill(['10.1.0.2']));
    await flip(s, 'w2', 'UNHEALTHY');
    expect(await sorted()).toEqual(Array(5).fill(['10.1.0.1', '10.1.0.2']));
    await flip(s, 'w1', 'HEALTHY');
    expect(await sorted()).toEqual(Array(5).fill(['10.1.0.1']));
  });

  it('picks uniformly: each of 20 records appears in 8/20 of the answers and first equally often', async () => {
    const s = await service('dist', 'MULTIVALUE', 'A');
    for (let i = 0; i < 20; i++) await seedInstance(t.server, s.id, `d${i}`, { AWS_INSTANCE_IPV4: `10.30.0.${i}` });
    const n = 2000;
    const got = await answers({ name: 'dist.kouzie.com', edns: false }, n);
    const inAnswer = new Map<string, number>();
    const first = new Map<string, number>();
    for (const a of got) {
      for (const addr of a) inAnswer.set(addr, (inAnswer.get(addr) ?? 0) + 1);
      first.set(a[0]!, (first.get(a[0]!) ?? 0) + 1);
    }
    expect(inAnswer.size).toBe(20);
    expect(first.size).toBe(20);
    // Binomial bounds at about 5 standard deviations: 800 ± 110 and 100 ± 50.
    for (const c of inAnswer.values()) expect(Math.abs(c - (n * 8) / 20)).toBeLessThan(110);
    for (const c of first.values()) expect(Math.abs(c - n / 20)).toBeLessThan(50);
  });
});

describe('WEIGHTED', () => {
  it('answers one A record, each instance about equally often', async () => {
    const s = await service('one', 'WEIGHTED', 'A');
    await seedInstance(t.server, s.id, 'a', { AWS_INSTANCE_IPV4: '10.40.0.1' });
    await seedInstance(t.server, s.id, 'b', { AWS_INSTANCE_IPV4: '10.40.0.2' });
    const got = await answers({ name: 'one.kouzie.com' }, 400);
    for (const a of got) expect(a).toHaveLength(1);
    const ones = got.filter((a) => a[0] === '10.40.0.1').length;
    expect(Math.abs(ones - 200)).toBeLessThan(60);
  });

  it('answers exactly one CNAME, chosen at random between the instances', async () => {
    const s = await service('www', 'WEIGHTED', 'CNAME');
    await seedInstance(t.server, s.id, 'a', { AWS_INSTANCE_CNAME: 'a.example.net' });
    await seedInstance(t.server, s.id, 'b', { AWS_INSTANCE_CNAME: 'b.example.net' });
    const got = await answers({ name: 'www.kouzie.com' }, 100);
    for (const a of got) expect(a).toHaveLength(1);
    expect(new Set(got.map((a) => a[0]))).toEqual(new Set(['a.example.net', 'b.example.net']));
  });

  it('fails open to one of all instances when none is healthy', async () => {
    const s = await service('sick', 'WEIGHTED', 'A', true);
    await seedInstance(t.server, s.id, 'a', { AWS_INSTANCE_IPV4: '10.50.0.1' }, 'UNHEALTHY');
    await seedInstance(t.server, s.id, 'b', { AWS_INSTANCE_IPV4: '10.50.0.2' }, 'UNHEALTHY');
    const got = await answers({ name: 'sick.kouzie.com' }, 60);
    for (const a of got) expect(a).toHaveLength(1);
    expect(new Set(got.map((a) => a[0]))).toEqual(new Set(['10.50.0.1', '10.50.0.2']));
  });
});
