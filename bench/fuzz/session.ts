// One long fuzz run against one server: workers run the properties in batches until the time is up,
// a monitor checks that the server stays alive and answering and samples its memory, and resources
// are cleaned up before the memory is compared (after a forced collection when it can be forced).
import fc from 'fast-check';
import type { Proc } from '../lib/proc.ts';
import { rssBytes, sleep } from '../lib/proc.ts';
import type { Violation } from './api.ts';
import { udpExchange, type DnsTarget } from './dns-check.ts';
import { Findings } from './findings.ts';
import { collectGarbage, inspectorUrl } from '../lib/inspector.ts';
import { Pool } from './pool.ts';
import { errorMessage, properties, Stats, type FuzzTarget, type PropertyName } from './properties.ts';
import { call, cleanup, PROBE_NAME, refreshPool, seedProbe, seedTargets } from './resources.ts';

/** A server under fuzz; `proc` when this run started it (then it may clean up and force a GC). */
export interface Subject {
  name: string;
  endpoint: string;
  dns: { host: string; port: number };
  proc?: Proc;
  /** The pid whose RSS is sampled (the started process, or --pid). */
  pid?: number;
}

export interface SessionOptions {
  seconds: number;
  concurrency: number;
  seed: number;
  rssLimitMb: number;
}

export interface Report {
  subject: Subject;
  seconds: number;
  startedAt: number;
  stats: Stats;
  findings: Findings;
  rss: { baseline?: number; end?: number; peak?: number; forcedGc: boolean; note?: string };
  liveness: { checks: number; slowestMs: number; failures: string[] };
  crashed?: string;
  errorLog: Map<string, number>;
  cleanupCalls: number;
}

/** How often each property runs (weights) and how many cases a batch holds. */
const plan: { name: PropertyName; weight: number; runs: number }[] = [
  { name: 'model', weight: 40, runs: 50 },
  { name: 'hostile', weight: 20, runs: 50 },
  { name: 'deep', weight: 4, runs: 5 },
  { name: 'prototypeTarget', weight: 4, runs: 20 },
  { name: 'prototypeMembers', weight: 6, runs: 50 },
  { name: 'udp', weight: 16, runs: 50 },
  { name: 'udpBurst', weight: 6, runs: 10 },
  { name: 'tcp', weight: 10, runs: 20 },
];

/** A small seeded generator (mulberry32): the run's batches follow from --seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickProperty(random: () => number): (typeof plan)[number] {
  const total = plan.reduce((s, p) => s + p.weight, 0);
  let x = random() * total;
  for (const p of plan) if ((x -= p.weight) < 0) return p;
  return plan[0]!;
}

interface Flags {
  stop: boolean;
}

async function worker(t: FuzzTarget, findings: Findings, until: number, random: () => number, flags: Flags): Promise<void> {
  while (Date.now() < until && !flags.stop) {
    const p = pickProperty(random);
    const seed = Math.floor(random() * 2 ** 31);
    const property = properties[p.name](t) as fc.IAsyncProperty<unknown[]>;
    const d = await fc.check(property, {
      numRuns: p.runs,
      seed,
      plugins: [fc.interruptAfterTimeLimit(Math.max(1000, until - Date.now()) + 60_000)],
    });
    if (d.failed) findings.record(p.name, d.errorInstance, seed, d.counterexamplePath ?? undefined);
  }
}

async function runWorkers(
  t: FuzzTarget,
  findings: Findings,
  seconds: number,
  o: SessionOptions,
  random: () => number,
  flags: Flags,
): Promise<void> {
  const until = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: o.concurrency }, () => worker(t, findings, until, rng(Math.floor(random() * 2 ** 31)), flags)));
}

/** Every 2 s: the known DNS query and ListNamespaces must answer; every 10 s the pool is refreshed. */
async function monitor(s: Subject, t: FuzzTarget, report: Report, flags: Flags, done: () => boolean): Promise<void> {
  let tick = 0;
  while (!done()) {
    if (s.proc && s.proc.child.exitCode !== null) {
      report.crashed = `exited with ${s.proc.child.exitCode ?? s.proc.child.signalCode}`;
      flags.stop = true;
      return;
    }
    const t0 = performance.now();
    try {
      await udpExchange(t.dns, [], 3000);
      await Promise.race([
        call(s.endpoint, 'ListNamespaces', { MaxResults: 1 }),
        sleep(5000).then(() => {
          throw new Error('ListNamespaces: no answer within 5 s');
        }),
      ]);
    } catch (e) {
      report.liveness.failures.push(`${((Date.now() - report.startedAt) / 1000).toFixed(0)} s: ${(e as Error).message.split('\n')[0]}`);
    }
    report.liveness.checks++;
    report.liveness.slowestMs = Math.max(report.liveness.slowestMs, performance.now() - t0);
    if (s.pid !== undefined) report.rss.peak = Math.max(report.rss.peak ?? 0, rssBytes(s.pid));
    if (++tick % 5 === 0) await refreshPool(s.endpoint, t.pool).catch(() => undefined);
    await sleep(2000);
  }
}

/** Resident memory after a full collection when the inspector is there, else as it is. */
async function settledRss(s: Subject, report: Report): Promise<number | undefined> {
  if (s.pid === undefined) return undefined;
  const url = s.proc ? inspectorUrl(s.proc.log()) : undefined;
  if (url) {
    await collectGarbage(url);
    report.rss.forcedGc = true;
  } else {
    await sleep(2000);
  }
  return rssBytes(s.pid);
}

/** Error-level lines of the server's log, counted by message. */
function errorLog(s: Subject): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of (s.proc?.log() ?? '').split('\n')) {
    if (!/"level":(50|60)/.test(line)) continue;
    const msg = errorMessage(line);
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  return counts;
}

export async function fuzzSession(s: Subject, o: SessionOptions): Promise<Report> {
  const pool = new Pool();
  const stats = new Stats();
  const findings = new Findings();
  const dns: DnsTarget = { ...s.dns, probeName: PROBE_NAME, maxUdp: 1232 };
  const t: FuzzTarget = { endpoint: s.endpoint, dns, pool, stats, tolerate: (v: Violation) => findings.tolerate(v) };
  const report: Report = {
    subject: s,
    seconds: o.seconds,
    startedAt: Date.now(),
    stats,
    findings,
    rss: { forcedGc: false },
    liveness: { checks: 0, slowestMs: 0, failures: [] },
    errorLog: new Map(),
    cleanupCalls: 0,
  };
  await seedProbe(s.endpoint, pool);
  await seedTargets(s.endpoint);
  await refreshPool(s.endpoint, pool);

  const flags: Flags = { stop: false };
  let finished = false;
  const watching = monitor(s, t, report, flags, () => finished);
  const random = rng(o.seed);
  const managed = s.proc !== undefined;
  try {
    // Warm-up, so the baseline is taken with the code compiled and the heap at its working size.
    const warmup = Math.min(60, Math.max(5, o.seconds * 0.15));
    await runWorkers(t, findings, warmup, o, random, flags);
    if (managed) {
      report.cleanupCalls += await cleanup(s.endpoint, pool);
      await seedTargets(s.endpoint);
      await refreshPool(s.endpoint, pool);
    }
    report.rss.baseline = await settledRss(s, report);
    await runWorkers(t, findings, o.seconds - warmup, o, random, flags);
    if (managed && !report.crashed) report.cleanupCalls += await cleanup(s.endpoint, pool);
    if (!report.crashed) report.rss.end = await settledRss(s, report);
  } finally {
    finished = true;
    await watching;
  }
  if (!managed) report.rss.note = 'no cleanup on a server this run did not start: the end figure includes what the fuzzer created';
  report.errorLog = errorLog(s);
  return report;
}

/** Whether the run failed: a finding, a crash, a hang, memory growth or an error logged. */
export function failed(r: Report, rssLimitMb: number): boolean {
  const growth = r.rss.end !== undefined && r.rss.baseline !== undefined ? (r.rss.end - r.rss.baseline) / 2 ** 20 : 0;
  return r.findings.size > 0 || r.crashed !== undefined || r.liveness.failures.length > 0 || growth > rssLimitMb || r.errorLog.size > 0;
}
