// Benchmark: watches (GET /v1/watch). (a) 10,000 open streams on one replica, all on one service and then
// spread over many: memory per stream (RSS and live heap, after a full collection) and the time from a
// RegisterInstance to the first and the last stream that received its event; the API call's own time
// with and without the streams. (b) Two replicas on one Redis: RegisterInstance through A, timed until
// `curl -N` on B prints the event; beside it, bench/propagation.ts's DNS numbers from the same run.
//   npx node bench/watch.ts [--watchers 10000] [--services 100] [--rounds 100] [--changes 1000] [--clients 2] [--no-dns]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateServiceCommand, RegisterInstanceCommand, type ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { repoRoot, sdkClient, startCairn, type Cairn } from './lib/cairn.ts';
import { LatencyRecorder } from './lib/dnsperf.ts';
import { inspectorUrl, liveHeapBytes } from './lib/inspector.ts';
import { createHttpNamespace } from './lib/load.ts';
import { cpuPlan, hasTaskset, rssBytes, sleep, stopAll, waitFor } from './lib/proc.ts';
import { startRedis, type Redis } from './lib/redis.ts';
import { int, ms, renderTable, type Table } from './lib/table.ts';
import { requireTools } from './lib/tools.ts';
import type { SwarmReply, SwarmRequest } from './lib/sse-swarm.ts';
import { benchPropagation } from './propagation.ts';

export interface WatchOptions {
  watchers: number;
  services: number;
  rounds: number;
  changes: number;
  clients: number;
  dns: boolean;
}
export const defaultWatchOptions: WatchOptions = { watchers: 10_000, services: 100, rounds: 100, changes: 1000, clients: 2, dns: true };

const NAMESPACE = 'kouzie.com';
const GIVE_UP_MS = 5000;
const wallClock = (): number => performance.timeOrigin + performance.now();
const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

/** A client process holding some of the streams. */
class Swarm {
  private readonly child: ChildProcess;
  private waiting: ((r: SwarmReply) => void) | undefined;

  constructor(cpu: number | undefined) {
    const script = join(repoRoot, 'bench/lib/sse-swarm.ts');
    const [cmd, args] =
      cpu !== undefined && hasTaskset() ? ['taskset', ['-c', String(cpu), process.execPath, script]] : [process.execPath, [script]];
    this.child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (r: SwarmReply) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.(r);
    });
    process.once('exit', () => this.child.kill('SIGKILL'));
  }

  ask<R extends SwarmReply>(request: SwarmRequest): Promise<R> {
    return new Promise((resolve) => {
      this.waiting = resolve as (r: SwarmReply) => void;
      this.child.send(request);
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ op: 'close' } satisfies SwarmRequest);
    await exited;
  }
}

interface Memory {
  rss: number;
  heap: number;
}
async function memoryOf(cairn: Cairn, url: string): Promise<Memory> {
  const heap = await liveHeapBytes(url);
  await sleep(200);
  return { rss: rssBytes(cairn.proc.pid), heap };
}

const watchPath = (service: string): string => `/v1/watch?namespace=${NAMESPACE}&service=${service}`;

interface FanOutRow {
  name: string;
  perStreamRss: number;
  perStreamHeap: number;
  openSeconds: number;
  api: LatencyRecorder;
  first: LatencyRecorder;
  last: LatencyRecorder;
  missed: number;
}

/** One scenario of (a): `streams` streams over `services`, then `rounds` registrations, one service each. */
async function fanOut(
  o: WatchOptions,
  cairn: Cairn,
  client: ServiceDiscoveryClient,
  inspector: string,
  ids: Map<string, { id: string; revision: number }>,
  services: string[],
  name: string,
  cpu: number | undefined,
): Promise<FanOutRow> {
  const row: FanOutRow = {
    name,
    perStreamRss: NaN,
    perStreamHeap: NaN,
    openSeconds: NaN,
    api: new LatencyRecorder(),
    first: new LatencyRecorder(),
    last: new LatencyRecorder(),
    missed: 0,
  };
  const streams = services.length === 0 ? 0 : o.watchers;
  const swarms: Swarm[] = [];
  // Per client process, per service path: how many of its streams watch it.
  const counts: Map<string, number>[] = [];
  if (streams > 0) {
    const before = await memoryOf(cairn, inspector);
    const t0 = performance.now();
    // Stream k watches service k mod S; each service's streams are shared out among the client processes.
    const lists: string[][] = Array.from({ length: o.clients }, () => []);
    for (let k = 0; k < streams; k++) lists[Math.floor(k / services.length) % o.clients]!.push(watchPath(services[k % services.length]!));
    const opened = [];
    for (const paths of lists) {
      const swarm = new Swarm(cpu);
      swarms.push(swarm);
      const mine = new Map<string, number>();
      for (const path of paths) mine.set(path, (mine.get(path) ?? 0) + 1);
      counts.push(mine);
      opened.push(swarm.ask<Extract<SwarmReply, { op: 'opened' }>>({ op: 'open', port: cairn.apiPort, paths, concurrency: 200 }));
    }
    const replies = await Promise.all(opened);
    row.openSeconds = (performance.now() - t0) / 1000;
    const got = replies.reduce((n, r) => n + r.streams, 0);
    const failed = replies.reduce((n, r) => n + r.failed, 0);
    log(`watch: ${name}: ${got} streams open in ${row.openSeconds.toFixed(1)} s (${failed} failed)`);
    if (got !== streams) throw new Error(`only ${got} of ${streams} streams opened`);
    await sleep(1000);
    const after = await memoryOf(cairn, inspector);
    log(
      `watch: ${name}: live heap ${(before.heap / 2 ** 20).toFixed(1)} MiB before, ${(after.heap / 2 ** 20).toFixed(1)} MiB with the streams`,
    );
    row.perStreamRss = (after.rss - before.rss) / streams;
    row.perStreamHeap = (after.heap - before.heap) / streams;
  }

  const targets = services.length > 0 ? services : ['backend'];
  for (let k = 0; k < o.rounds; k++) {
    const service = targets[k % targets.length]!;
    const s = ids.get(service)!;
    const t0 = wallClock();
    await client.send(
      new RegisterInstanceCommand({ ServiceId: s.id, InstanceId: `r${k}-${name.length}`, Attributes: { AWS_INSTANCE_IPV4: '10.9.0.1' } }),
    );
    row.api.add(wallClock() - t0);
    s.revision++;
    if (swarms.length === 0) continue;
    const path = watchPath(service);
    const replies = await Promise.all(
      swarms.map((swarm, c) =>
        swarm.ask<Extract<SwarmReply, { op: 'arrived' }>>({
          op: 'wait',
          path,
          revision: s.revision,
          expected: counts[c]!.get(path) ?? 0,
          timeoutMs: GIVE_UP_MS,
        }),
      ),
    );
    const expected = counts.reduce((n, m) => n + (m.get(path) ?? 0), 0);
    const seen = replies.reduce((n, r) => n + r.count, 0);
    row.missed += expected - seen;
    const firsts = replies.filter((r) => r.count > 0).map((r) => r.first);
    const lasts = replies.filter((r) => r.count > 0).map((r) => r.last);
    if (firsts.length > 0) row.first.add(Math.min(...firsts) - t0);
    if (lasts.length > 0 && seen === expected) row.last.add(Math.max(...lasts) - t0);
  }
  await Promise.all(swarms.map((s) => s.close()));
  await sleep(500);
  if (streams > 0) {
    const closed = await memoryOf(cairn, inspector);
    await sleep(3000);
    const later = await memoryOf(cairn, inspector);
    log(
      `watch: ${name}: live heap ${(closed.heap / 2 ** 20).toFixed(1)} MiB after the streams closed, ${(later.heap / 2 ** 20).toFixed(1)} MiB 3 s later`,
    );
  }
  return row;
}

async function benchFanOut(o: WatchOptions): Promise<Table> {
  const cpus = cpuPlan();
  const cap = String(o.watchers + 1000);
  const cairn = await startCairn({
    name: 'watch-fanout',
    cpu: cpus.server,
    maxInstancesPerService: 10_000,
    maxInstancesPerNamespace: 100_000,
    extraFlags: ['--api-max-connections', cap, '--watch-max', cap, '--log-level', 'warn'],
    nodeFlags: ['--inspect=127.0.0.1:0'],
  });
  const client = sdkClient(cairn.endpoint, 4);
  const rows: FanOutRow[] = [];
  try {
    const inspector = await waitFor('the inspector URL', async () => inspectorUrl(cairn.proc.log()), 10_000);
    const nsId = await createHttpNamespace(client, NAMESPACE);
    const ids = new Map<string, { id: string; revision: number }>();
    const spread = Array.from({ length: o.services }, (_, i) => `svc-${i}`);
    for (const service of ['backend', ...spread]) {
      const { Service } = await client.send(new CreateServiceCommand({ Name: service, NamespaceId: nsId }));
      ids.set(service, { id: Service!.Id!, revision: 0 });
    }
    // A service as a sidecar would watch it: a few instances already there.
    for (let i = 0; i < 8; i++) {
      await client.send(
        new RegisterInstanceCommand({
          ServiceId: ids.get('backend')!.id,
          InstanceId: `base${i}`,
          Attributes: { AWS_INSTANCE_IPV4: `10.8.0.${i}` },
        }),
      );
      ids.get('backend')!.revision++;
    }
    rows.push(await fanOut(o, cairn, client, inspector, ids, [], 'no streams (the API call alone)', cpus.load));
    rows.push(await fanOut(o, cairn, client, inspector, ids, ['backend'], `${int(o.watchers)} streams on one service`, cpus.load));
    rows.push(
      await fanOut(
        o,
        cairn,
        client,
        inspector,
        ids,
        spread,
        `${int(o.watchers)} streams over ${int(o.services)} services (${int(o.watchers / o.services)} each)`,
        cpus.load,
      ),
    );
  } finally {
    client.destroy();
    await cairn.stop();
  }
  const kib = (b: number): string => (Number.isFinite(b) ? (b / 1024).toFixed(1) : '—');
  return {
    title: `Watch streams on one replica (${int(o.rounds)} RegisterInstance calls per row, each to one watched service)`,
    columns: [
      'streams',
      'RSS per stream KiB',
      'live heap per stream KiB',
      'opened in s',
      'API call p50 ms',
      'API call p99 ms',
      'first stream p50 ms',
      'last stream p50 ms',
      'last stream p99 ms',
      'last stream max ms',
      'events missed',
    ],
    rows: rows.map((r) => [
      r.name,
      kib(r.perStreamRss),
      kib(r.perStreamHeap),
      Number.isFinite(r.openSeconds) ? r.openSeconds.toFixed(1) : undefined,
      ms(r.api.percentile(50)),
      ms(r.api.percentile(99)),
      ms(r.first.percentile(50)),
      ms(r.last.percentile(50)),
      ms(r.last.percentile(99)),
      ms(r.last.percentile(100)),
      r.first.count > 0 ? int(r.missed) : undefined,
    ]),
    notes: [
      `Times are from just before the SDK call to the arrival of the event's bytes in the client process (${o.clients} processes of raw sockets, on the other core).`,
      'Memory is the difference with no streams open, after a full collection, divided by the streams.',
    ],
  };
}

/** A `curl -N` on B: the arrival time of each `id:` line it prints. */
function curlWatch(url: string): { seen: Map<number, number>; stop: () => void } {
  const seen = new Map<number, number>();
  const child = spawn('curl', ['-sN', url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const at = performance.now();
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('id: ')) seen.set(Number(line.slice(4)), at);
  });
  process.once('exit', () => child.kill('SIGKILL'));
  return { seen, stop: () => child.kill('SIGTERM') };
}

async function benchAcrossReplicas(o: WatchOptions): Promise<Table[]> {
  const cpus = cpuPlan();
  let redis: Redis | undefined;
  let a: Cairn | undefined;
  let b: Cairn | undefined;
  let client: ServiceDiscoveryClient | undefined;
  let curl: ReturnType<typeof curlWatch> | undefined;
  const visible = new LatencyRecorder();
  const api = new LatencyRecorder();
  let missed = 0;
  try {
    redis = await startRedis(cpus.server);
    const common = {
      cpu: cpus.server,
      redis: { url: redis.url, prefix: 'watchbench' },
      maxInstancesPerService: 10_000,
      maxInstancesPerNamespace: 10_000,
    };
    [a, b] = await Promise.all([startCairn({ name: 'watch-a', ...common }), startCairn({ name: 'watch-b', ...common })]);
    client = sdkClient(a.endpoint, 4);
    const nsId = await createHttpNamespace(client, NAMESPACE);
    const serviceId = (await client.send(new CreateServiceCommand({ Name: 'backend', NamespaceId: nsId }))).Service!.Id!;
    const bUrl = `${b.endpoint}${watchPath('backend')}`;
    await waitFor(
      'B to know the service',
      async () => ((await fetch(`${b!.endpoint}/v1/namespaces/${NAMESPACE}/services/backend/instances`)).ok ? true : undefined),
      10_000,
    );
    curl = curlWatch(bUrl);
    const w = curl;
    const start = await waitFor('the snapshot on B', async () => (w.seen.size > 0 ? Math.max(...w.seen.keys()) : undefined), 10_000);
    log(`watch: ${o.changes} registrations through A, watched on B with curl -N`);
    const c = client;
    for (let k = 0; k < o.changes; k++) {
      const revision = start + k + 1;
      const t0 = performance.now();
      await c.send(
        new RegisterInstanceCommand({
          ServiceId: serviceId,
          InstanceId: `p${k}`,
          Attributes: { AWS_INSTANCE_IPV4: `10.2.${k >> 8}.${k & 255}` },
        }),
      );
      api.add(performance.now() - t0);
      const deadline = t0 + GIVE_UP_MS;
      while (!w.seen.has(revision) && performance.now() < deadline) await sleep(0.2);
      const at = w.seen.get(revision);
      if (at === undefined) missed++;
      else visible.add(at - t0);
    }
  } finally {
    curl?.stop();
    client?.destroy();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  }
  const tables: Table[] = [
    {
      title: `Across replicas: RegisterInstance through A until \`curl -N\` on B prints the event (${int(o.changes)} calls)`,
      columns: ['p50 ms', 'p99 ms', 'max ms', 'API call p50 ms', 'API call p99 ms', `not seen in ${GIVE_UP_MS / 1000} s`],
      rows: [
        [
          ms(visible.percentile(50)),
          ms(visible.percentile(99)),
          ms(visible.percentile(100)),
          ms(api.percentile(50)),
          ms(api.percentile(99)),
          int(missed),
        ],
      ],
      notes: ['Two replicas and Redis on one core, curl and the SDK client on the other; the next call starts when the event has arrived.'],
    },
  ];
  if (o.dns) {
    const dns = await benchPropagation({ registrations: o.changes, flips: 0 });
    for (const t of dns) tables.push({ ...t, rows: t.rows.slice(0, 1) });
  }
  return tables;
}

export async function benchWatch(o: WatchOptions): Promise<Table[]> {
  requireTools(['redis-server', 'curl']);
  const limit = spawnSync('sh', ['-c', 'ulimit -n']).stdout.toString().trim();
  if (limit !== 'unlimited' && Number(limit) < o.watchers + 1000)
    throw new Error(`ulimit -n is ${limit}: raise it above ${o.watchers + 1000} for ${o.watchers} streams`);
  return [await benchFanOut(o), ...(await benchAcrossReplicas(o))];
}

export function parseWatchArgs(argv: string[]): WatchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      watchers: { type: 'string' },
      services: { type: 'string' },
      rounds: { type: 'string' },
      changes: { type: 'string' },
      clients: { type: 'string' },
      'no-dns': { type: 'boolean' },
    },
  });
  const d = defaultWatchOptions;
  return {
    watchers: Number(values.watchers ?? d.watchers),
    services: Number(values.services ?? d.services),
    rounds: Number(values.rounds ?? d.rounds),
    changes: Number(values.changes ?? d.changes),
    clients: Number(values.clients ?? d.clients),
    dns: !(values['no-dns'] ?? false),
  };
}

if (import.meta.main) {
  try {
    for (const t of await benchWatch(parseWatchArgs(process.argv.slice(2)))) process.stdout.write(`\n${renderTable(t)}`);
  } finally {
    await stopAll();
  }
}
