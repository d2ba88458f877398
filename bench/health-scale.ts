// Benchmark: one replica keeps the interval of 10,000 TCP health checks against local listeners.
// Registers the instances through the replica's writer, lets it probe for a few intervals and measures at
// the listeners: probes per second (expected: instances / interval) and, on a sample of instances that
// each have a listener of their own, the gap between two probes of the same instance (expected: the
// interval). Everything it starts it stops.
//   npx node bench/health-scale.ts [--instances 10000] [--interval 10s] [--rounds 3] [--timeout 2s]
//                              [--concurrency 256] [--sample 500] [--shared-ports 8]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { parseDuration } from '../src/model/duration.ts';
import { instanceKey, type InstanceRecord, type NamespaceRecord, type ServiceRecord } from '../src/model/records.ts';
import { startServer, type Server } from '../src/server.ts';
import type { Mutation } from '../src/model/changes.ts';
import { loopbackFlags } from './lib/ports.ts';
import { int, machine, ms, renderTable } from './lib/table.ts';

interface Options {
  instances: number;
  intervalMs: number;
  rounds: number;
  timeout: string;
  interval: string;
  concurrency: number;
  sample: number;
  sharedPorts: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      instances: { type: 'string', default: '10000' },
      interval: { type: 'string', default: '10s' },
      rounds: { type: 'string', default: '3' },
      timeout: { type: 'string', default: '2s' },
      concurrency: { type: 'string', default: '256' },
      sample: { type: 'string', default: '500' },
      'shared-ports': { type: 'string', default: '8' },
    },
  });
  const intervalMs = parseDuration(values.interval);
  if (intervalMs === undefined) throw new Error(`--interval: '${values.interval}' is not a duration with a unit, e.g. 10s`);
  return {
    instances: Number(values.instances),
    interval: values.interval,
    intervalMs,
    rounds: Number(values.rounds),
    timeout: values.timeout,
    concurrency: Number(values.concurrency),
    sample: Math.min(Number(values.sample), Number(values.instances)),
    sharedPorts: Number(values['shared-ports']),
  };
}

/** A loopback TCP listener that accepts, records the time and closes. */
interface Listener {
  port: number;
  hits: number[];
  server: NetServer;
  sockets: Set<Socket>;
}
async function listener(): Promise<Listener> {
  const l: Listener = { port: 0, hits: [], server: createServer(), sockets: new Set() };
  l.server.on('connection', (s) => {
    l.hits.push(Date.now());
    l.sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => l.sockets.delete(s));
    s.end();
  });
  await new Promise<void>((resolve, reject) => {
    l.server.once('error', reject);
    l.server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve);
  });
  l.port = (l.server.address() as { port: number }).port;
  return l;
}
const closeListener = (l: Listener): Promise<void> =>
  new Promise((resolve) => {
    for (const s of l.sockets) s.destroy();
    l.server.close(() => resolve());
  });

/** Writes a namespace, services of ≤1000 instances and the instances, in batches through the writer. */
async function register(server: Server, ports: number[]): Promise<void> {
  const now = Date.now();
  const ns: NamespaceRecord = {
    id: 'ns-bench',
    name: 'bench.local',
    type: 'DNS_PUBLIC',
    httpName: 'bench.local',
    createDate: now,
    soaTtl: 15,
    hostedZoneId: 'ZBENCH',
  };
  await server.ctx.writer.write(() => ({ mutations: [{ table: 'namespaces', key: ns.id, value: ns }], result: null }));
  const perService = 1000;
  for (let s = 0; s * perService < ports.length; s++) {
    const service: ServiceRecord = {
      id: `srv-bench${String(s).padStart(4, '0')}`,
      name: `svc${s}`,
      namespaceId: ns.id,
      type: 'DNS_HTTP',
      createDate: now,
      attributes: {},
      dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 10 }] },
      healthCheckConfig: { type: 'TCP', failureThreshold: 3 },
      instancesRevision: 0,
    };
    await server.ctx.writer.write(() => ({ mutations: [{ table: 'services', key: service.id, value: service }], result: null }));
    const mine = ports.slice(s * perService, (s + 1) * perService);
    for (let from = 0; from < mine.length; from += 500) {
      await server.ctx.writer.write((catalog) => {
        const mutations: Mutation[] = mine.slice(from, from + 500).map((port, j) => {
          const id = `i-${from + j}`;
          const record: InstanceRecord = {
            serviceId: service.id,
            id,
            createDate: now,
            seq: catalog.revision + 1,
            attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(port) },
          };
          return { table: 'instances', key: instanceKey(service.id, id), value: record };
        });
        return { mutations, result: null };
      });
    }
  }
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const o = options();
  const sampled = await Promise.all(Array.from({ length: o.sample }, listener));
  const shared = await Promise.all(Array.from({ length: o.sharedPorts }, listener));
  const ports = [
    ...sampled.map((l) => l.port),
    ...Array.from({ length: o.instances - o.sample }, (_, i) => shared[i % shared.length]!.port),
  ];
  const config = loadConfig(
    [
      ...loopbackFlags(),
      '--log-level',
      'warn',
      '--health-check-interval',
      o.interval,
      '--health-check-timeout',
      o.timeout,
      '--health-check-concurrency',
      String(o.concurrency),
    ],
    {},
  );
  const server = await startServer(config, { log: pino({ level: 'warn' }) });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  try {
    const t0 = Date.now();
    await register(server, ports);
    const registerMs = Date.now() - t0;
    process.stderr.write(
      `registered ${int(o.instances)} checked instances in ${registerMs} ms; warming up for one interval (${o.interval})\n`,
    );
    // Probes of new targets start at their phase within the first interval: measure from the second.
    await sleep(o.intervalMs + 200);
    const start = Date.now();
    loop.enable();
    const statsBefore = server.health.stats();
    const cpuBefore = process.cpuUsage();
    let maxInFlight = 0;
    const sampler = setInterval(() => {
      maxInFlight = Math.max(maxInFlight, server.health.stats().inFlight);
    }, 5);
    process.stderr.write(`measuring ${o.rounds} intervals\n`);
    await sleep(o.rounds * o.intervalMs);
    const end = Date.now();
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpuBefore);
    loop.disable();
    const stats = server.health.stats();

    const inWindow = (hits: number[]): number[] => hits.filter((h) => h >= start && h < end);
    const probes = [...sampled, ...shared].reduce((n, l) => n + inWindow(l.hits).length, 0);
    const seconds = (end - start) / 1000;
    const gaps: number[] = [];
    let missing = 0;
    for (const l of sampled) {
      const hits = l.hits.filter((h) => h >= start - o.intervalMs && h < end);
      if (inWindow(l.hits).length === 0) missing++;
      for (let i = 1; i < hits.length; i++) gaps.push(hits[i]! - hits[i - 1]!);
    }
    gaps.sort((a, b) => a - b);
    const expected = o.instances / (o.intervalMs / 1000);
    const table = renderTable({
      title: `Health checks on one replica: ${int(o.instances)} TCP-checked instances, interval ${o.interval}, timeout ${o.timeout}, concurrency ${o.concurrency}`,
      columns: ['measure', 'value', 'expected'],
      rows: [
        ['probes per second (at the listeners)', int(probes / seconds), int(expected)],
        ['probes per second (started by the scheduler)', int((stats.started - statsBefore.started) / seconds), int(expected)],
        ['probes that failed (refused or timed out)', int(stats.failures - statsBefore.failures), '0'],
        [`per-instance gap p50 (ms, ${o.sample} sampled instances)`, int(percentile(gaps, 0.5)), int(o.intervalMs)],
        ['per-instance gap p99 (ms)', int(percentile(gaps, 0.99)), int(o.intervalMs)],
        ['per-instance gap max (ms)', int(gaps.at(-1)), int(o.intervalMs)],
        ['sampled instances never probed in the window', int(missing), '0'],
        ['rounds skipped (previous probe still running)', int(stats.skipped - statsBefore.skipped), '0'],
        ['most probes in flight at once (sampled every 5 ms)', int(maxInFlight), `≤ ${o.concurrency}`],
        ['CPU of the process, probes and listeners (% of one core)', ms(((cpu.user + cpu.system) / 1000 / (end - start)) * 100, 0), '—'],
        ['health flips (all listeners up)', int(stats.flips), '0'],
        ['event loop delay p99 (ms)', ms(loop.percentile(99) / 1e6, 1), '—'],
        ['registering the instances (ms)', int(registerMs), '—'],
      ],
      notes: [`Measured over ${o.rounds} intervals after one interval of warm-up. ${await machine()}.`],
    });
    process.stdout.write(`\n${table}`);
  } finally {
    await server.stop();
    await Promise.all([...sampled, ...shared].map(closeListener));
  }
}

await main();
