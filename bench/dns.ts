// Benchmark: cairn's DNS (embedded store and Redis store) against Knot DNS under dnsperf, same data, same
// run: queries/s at full speed, then p50/p99 and losses at half of each server's own maximum.
//   npx node bench/dns.ts [--sizes 1k,100k] [--mixes A,mixed] [--servers knot,cairn-memory,cairn-redis,cairn-dgram]
//                     [--seconds 10] [--concurrency 64] [--load-budget 10 (min)] [--profile]
import { parseArgs } from 'node:util';
import { differences, sampleAnswers, type Fingerprints } from './lib/compare.ts';
import { cpuPlan, hasRealtime, stopAll } from './lib/proc.ts';
import { dataset, mixes, queryFile, type Dataset } from './lib/dataset.ts';
import { dnsperf, writeQueryFile, type DnsperfResult } from './lib/dnsperf.ts';
import { startTarget, targetKinds, type RunningTarget, type TargetKind } from './lib/dns-targets.ts';
import { profileDir } from './lib/cairn.ts';
import { latestProfile, monotonicMicros, summariseProfile } from './lib/profile.ts';
import { int, ms, ratio, renderTable, secs, type Cell, type Table } from './lib/table.ts';
import { requireTools } from './lib/tools.ts';

/** Data set sizes by registered instances: services of 8 instances (a full MULTIVALUE answer). */
export const sizes: Record<string, { services: number; perService: number }> = {
  '1k': { services: 125, perService: 8 },
  '10k': { services: 1_250, perService: 8 },
  '100k': { services: 12_500, perService: 8 },
};

export interface DnsBenchOptions {
  sizes: string[];
  mixes: string[];
  servers: TargetKind[];
  seconds: number;
  concurrency: number;
  /** Mix measured again at half rate for p99 (the first of `mixes` that is run, by default 'mixed'). */
  halfRateMix: string;
  profile: boolean;
  /** Minutes allowed for loading a data set through the API before the size is given up. */
  loadBudgetMin: number;
}

export const defaultDnsOptions: DnsBenchOptions = {
  sizes: ['1k', '100k'],
  mixes: ['A', 'mixed'],
  servers: ['knot', 'cairn-memory', 'cairn-redis'],
  seconds: 10,
  concurrency: 64,
  halfRateMix: 'mixed',
  profile: false,
  loadBudgetMin: 10,
};

interface Row {
  size: string;
  mix: string;
  server: string;
  max?: DnsperfResult;
  half?: DnsperfResult;
  note?: string;
}

const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

export async function benchDns(o: DnsBenchOptions): Promise<Table[]> {
  requireTools(['dnsperf', 'knotd', ...(o.servers.includes('cairn-redis') ? ['redis-server'] : [])]);
  for (const m of o.mixes) if (!mixes[m]) throw new Error(`unknown mix ${m}; known: ${Object.keys(mixes).join(', ')}`);
  for (const s of o.sizes) if (!sizes[s]) throw new Error(`unknown size ${s}; known: ${Object.keys(sizes).join(', ')}`);
  const cpus = cpuPlan();
  const rows: Row[] = [];
  const loads: Cell[][] = [];
  const notes: string[] = [];
  const tables: Table[] = [];
  for (const size of o.sizes) {
    const { services, perService } = sizes[size]!;
    const d = dataset(services, perService);
    const files = Object.fromEntries(o.mixes.map((m) => [m, writeQueryFile(queryFile(d, mixes[m]!))]));
    const sample = queryFile(d, mixes.mixed!, 300);
    let reference: Fingerprints | undefined;
    for (const kind of o.servers) {
      log(`dns: ${size} instances, starting ${kind}`);
      let target: RunningTarget | undefined;
      try {
        target = await startTarget(kind, d, { cpu: cpus.server, concurrency: o.concurrency, budgetMs: o.loadBudgetMin * 60_000, log });
        loads.push([size, kind, secs(target.loadMs), int(d.instanceCount / (target.loadMs / 1000))]);
        const answers = await sampleAnswers(target.port, sample);
        reference ??= answers;
        const diff = differences(reference, answers);
        if (diff) notes.push(`WARNING ${kind} at ${size}: ${diff}`);
        for (const mix of o.mixes) {
          log(`dns: ${size} ${kind} ${mix}: full speed for ${o.seconds} s`);
          const row: Row = { size, mix, server: kind };
          rows.push(row);
          row.max = await dnsperf({ port: target.port, queries: files[mix]!, seconds: o.seconds, cpu: cpus.load });
          if (mix === o.halfRateMix) {
            const rate = Math.round(row.max.qps / 2);
            log(`dns: ${size} ${kind} ${mix}: half rate (${int(rate)}/s) for ${o.seconds} s`);
            row.half = await halfRate(target.port, d, mixes[mix]!, rate, o.seconds, cpus.load);
          }
        }
      } catch (e) {
        rows.push({ size, mix: '—', server: kind, note: `failed: ${firstLine(e)}` });
        notes.push(`${kind} at ${size} failed: ${(e as Error).message}`);
      } finally {
        await target?.stop();
      }
    }
  }
  tables.push(dnsTable(rows, o, cpus.server !== undefined, notes));
  tables.push({
    title: 'DNS data load (cairn: Cloud Map API calls through the AWS SDK; Knot: zone file)',
    columns: ['instances', 'server', 'load s', 'instances/s'],
    rows: loads,
  });
  if (o.profile) for (const kind of ['cairn-memory', 'cairn-dgram'] as const) tables.push(await profileRun(o, cpus, kind));
  return tables;
}

/** Queries a probe sends per second during the half-rate run; the rest of the rate is the load. */
const PROBE_RATE = 1_000;
/**
 * Queries the half-rate load may have outstanding. Enough to keep the pace (20 at 120,000/s leaves
 * 0.17 ms per answer, three times the 0.05 ms they take), few enough that dnsperf cannot catch up on
 * a pause of its own by sending hundreds at once: with 200, the probe's p99 at 90,000/s was 5.8 ms
 * for cairn and 10-15 ms for Knot, with 20 it was 0.9 ms for cairn.
 */
const LOAD_OUTSTANDING = 20;

/**
 * The server at `rate` queries/s: a load dnsperf without per-query output, and beside it a probe
 * dnsperf at PROBE_RATE recording each query's latency. The latencies come from the probe only: with
 * -v at tens of thousands of queries/s dnsperf's own printing delays the answers it times (Knot showed
 * a 4-7 ms p99 that way). The probe runs real-time (chrt) where allowed: it shares a CPU with the load
 * generator. Both send a fixed number of queries once and await every answer, so the loss count is
 * exact. The load's rate is reported as achieved: had the server fallen behind, the few outstanding
 * queries would have held the load back, and the ½-rate column would show it.
 */
async function halfRate(
  port: number,
  d: Dataset,
  mix: Record<string, number>,
  rate: number,
  seconds: number,
  cpu: number | undefined,
): Promise<DnsperfResult> {
  const loadRate = Math.max(1, rate - PROBE_RATE);
  const loadFile = writeQueryFile(queryFile(d, mix, loadRate * seconds));
  const probeFile = writeQueryFile(queryFile(d, mix, PROBE_RATE * seconds));
  const [load, probe] = await Promise.all([
    dnsperf({ port, queries: loadFile, passes: 1, cpu, rate: loadRate, clients: 1, outstanding: LOAD_OUTSTANDING }),
    dnsperf({ port, queries: probeFile, passes: 1, cpu, rate: PROBE_RATE, perQuery: true, clients: 1, outstanding: 20, realtime: true }),
  ]);
  return {
    ...probe,
    sent: load.sent + probe.sent,
    completed: load.completed + probe.completed,
    lost: load.lost + probe.lost,
    qps: load.qps + probe.qps,
  };
}

function dnsTable(rows: Row[], o: DnsBenchOptions, pinned: boolean, notes: string[]): Table {
  const knotQps = (size: string, mix: string): number | undefined =>
    rows.find((r) => r.size === size && r.mix === mix && r.server === 'knot')?.max?.qps;
  return {
    title: `DNS: queries/s under dnsperf (${o.seconds} s per run), and latency at half of each server's maximum`,
    columns: ['instances', 'mix', 'server', 'QPS', '× knot', 'avg ms', 'lost', '½-rate QPS', 'p50 ms', 'p99 ms', 'lost at ½'],
    rows: rows.map((r) =>
      r.note
        ? [r.size, r.mix, r.server, r.note]
        : [
            r.size,
            r.mix,
            r.server,
            int(r.max?.qps),
            ratio(r.max?.qps, knotQps(r.size, r.mix)),
            ms(r.max?.avgMs, 3),
            int(r.max?.lost),
            r.half ? int(r.half.qps) : undefined,
            r.half ? ms(r.half.p50Ms, 3) : undefined,
            r.half ? ms(r.half.p99Ms, 3) : undefined,
            r.half ? int(r.half.lost) : undefined,
          ],
    ),
    notes: [
      `Mixes: ${o.mixes
        .map(
          (m) =>
            `${m} = ${Object.entries(mixes[m]!)
              .map(([k, w]) => `${w}% ${k}`)
              .join(' + ')}`,
        )
        .join('; ')} (HOST = an SRV target's A; NX = unknown name → NXDOMAIN). EDNS on (dnsperf -e).`,
      'lost: queries with no answer within 2 s (dnsperf -t 2). The half-rate run sends a fixed number of queries once (-n 1) and waits for every answer, so none is cut off by a time limit.',
      `Half rate: a load dnsperf at half the server's maximum minus ${int(PROBE_RATE)}/s (1 client, at most ${LOAD_OUTSTANDING} queries outstanding, so it paces instead of bursting), and a probe dnsperf at ${int(PROBE_RATE)}/s beside it${hasRealtime() ? ' (real-time priority, chrt -f 50)' : ' (chrt not allowed here: the probe waits for its CPU like any process, which inflates p99)'}; p50 and p99 are the probe's per-query latencies (dnsperf -v at the full rate delays the answers it times); ½-rate QPS is what load and probe achieved together.`,
      `Data: services of 8 instances, each with A, AAAA and SRV records (an SRV answer carries 8 SRV + 16 address records). ${pinned ? 'Server pinned to the last CPU, dnsperf to CPU 0 (taskset).' : 'Not pinned (taskset missing or one CPU).'}`,
      ...notes,
    ],
  };
}

/**
 * A separate run of cairn (embedded store, small data) under node --cpu-prof, summarised by self time:
 * once with UDP batched through the native addon, once through node:dgram (before and after).
 */
async function profileRun(
  o: DnsBenchOptions,
  cpus: { server: number | undefined; load: number | undefined },
  kind: 'cairn-memory' | 'cairn-dgram',
): Promise<Table> {
  const d: Dataset = dataset(sizes['1k']!.services, sizes['1k']!.perService);
  const dir = profileDir(`dns-${kind}-${Date.now()}`);
  const target = await startTarget(kind, d, { cpu: cpus.server, concurrency: o.concurrency, cpuProfDir: dir });
  let window;
  try {
    const file = writeQueryFile(queryFile(d, mixes[o.halfRateMix] ?? mixes.mixed!));
    const from = monotonicMicros();
    const r = await dnsperf({ port: target.port, queries: file, seconds: o.seconds, cpu: cpus.load });
    window = { from, to: monotonicMicros() };
    log(`dns: profiled run (${kind}) ${int(r.qps)} QPS`);
  } finally {
    await target.stop();
  }
  const t = summariseProfile(latestProfile(dir), window);
  return { ...t, title: `${t.title} (${kind === 'cairn-dgram' ? 'UDP through node:dgram' : 'UDP batched through the native addon'})` };
}

const firstLine = (e: unknown): string =>
  String((e as Error).message ?? e)
    .split('\n')[0]!
    .slice(0, 120);

export function parseDnsArgs(argv: string[]): DnsBenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      sizes: { type: 'string' },
      mixes: { type: 'string' },
      servers: { type: 'string' },
      seconds: { type: 'string' },
      concurrency: { type: 'string' },
      'half-rate-mix': { type: 'string' },
      profile: { type: 'boolean' },
      'load-budget': { type: 'string' },
    },
  });
  const list = (v: string | undefined): string[] | undefined =>
    v
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const servers = list(values.servers) ?? defaultDnsOptions.servers;
  for (const s of servers)
    if (!(targetKinds as readonly string[]).includes(s)) throw new Error(`unknown server ${s}; known: ${targetKinds.join(', ')}`);
  const mixList = list(values.mixes) ?? defaultDnsOptions.mixes;
  return {
    sizes: list(values.sizes) ?? defaultDnsOptions.sizes,
    mixes: mixList,
    servers: servers as TargetKind[],
    seconds: Number(values.seconds ?? defaultDnsOptions.seconds),
    concurrency: Number(values.concurrency ?? defaultDnsOptions.concurrency),
    halfRateMix: values['half-rate-mix'] ?? (mixList.includes('mixed') ? 'mixed' : mixList[0]!),
    profile: values.profile ?? false,
    loadBudgetMin: Number(values['load-budget'] ?? defaultDnsOptions.loadBudgetMin),
  };
}

if (import.meta.main) {
  try {
    for (const t of await benchDns(parseDnsArgs(process.argv.slice(2)))) process.stdout.write(`\n${renderTable(t)}`);
  } finally {
    await stopAll();
  }
}
