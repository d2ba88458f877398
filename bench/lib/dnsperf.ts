// Runs dnsperf (pinned to the load generator's CPU) and reads its statistics. dnsperf 2.x prints only
// the average latency, so percentiles come from its verbose mode, which prints each query's latency;
// verbose costs dnsperf some speed, so it is used for the rate-limited runs only.
import { createReadStream, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { scratchDir, start, tail } from './proc.ts';
import { tool } from './tools.ts';

export interface DnsperfOptions {
  port: number;
  /** Path of a file of lines "name type". */
  queries: string;
  /** Run for this long (-l). dnsperf counts the queries still in flight when the limit stops it as lost. */
  seconds?: number;
  /** Send the file this many times (-n) and wait for every answer: exact loss counts. */
  passes?: number;
  cpu?: number | undefined;
  /** Queries per second cap (-Q); omitted: as fast as the server answers. */
  rate?: number;
  /** Record each query's latency (for percentiles). */
  perQuery?: boolean;
  clients?: number;
  outstanding?: number;
  /** Real-time scheduling (see proc.ts): for a latency probe sharing its CPU with a load generator. */
  realtime?: boolean;
}

export interface DnsperfResult {
  sent: number;
  completed: number;
  lost: number;
  qps: number;
  avgMs: number;
  maxMs: number;
  /** Only with perQuery. */
  p50Ms?: number;
  p99Ms?: number;
  rcodes: string;
}

let files = 0;
export function writeQueryFile(text: string): string {
  const path = join(scratchDir(), `queries-${++files}.txt`);
  writeFileSync(path, text);
  return path;
}

export async function dnsperf(o: DnsperfOptions): Promise<DnsperfResult> {
  const args = [
    '-s',
    '127.0.0.1',
    '-p',
    String(o.port),
    '-d',
    o.queries,
    ...(o.seconds !== undefined ? ['-l', String(o.seconds)] : []),
    ...(o.passes !== undefined ? ['-n', String(o.passes)] : []),
    '-e', // EDNS(0) like real resolvers: SRV answers with their addresses exceed 512 bytes
    '-c',
    String(o.clients ?? 4),
    '-q',
    String(o.outstanding ?? 200),
    '-T',
    '1',
    '-t',
    '2',
  ];
  if (o.rate !== undefined) args.push('-Q', String(Math.max(1, Math.round(o.rate))));
  if (o.perQuery) args.push('-v');
  const out = join(scratchDir(), `dnsperf-${++files}.out`);
  const p = start('dnsperf', tool('dnsperf'), args, { cpu: o.cpu, stdoutFile: out, ...(o.realtime ? { realtime: true } : {}) });
  const code = await p.exited;
  // Read afterwards, not during the run: parsing a line per query would steal CPU from the measurement.
  const latencies = new LatencyRecorder();
  let summary = '';
  const lines = createInterface({ input: createReadStream(out, { encoding: 'latin1' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.charCodeAt(0) === 62 /* '>' */) latencies.add(Number(line.slice(line.lastIndexOf(' ') + 1)) * 1000);
    else summary += line + '\n';
  }
  rmSync(out, { force: true });
  if (code !== 0) throw new Error(`dnsperf exited with ${code}:\n${tail(summary + p.log(), 30)}`);
  const num = (re: RegExp): number => {
    const m = re.exec(summary);
    if (!m) throw new Error(`dnsperf output lacks ${re}:\n${tail(summary, 30)}`);
    return Number(m[1]);
  };
  const result: DnsperfResult = {
    sent: num(/Queries sent:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    maxMs: num(/Average Latency \(s\):.*max ([\d.]+)/) * 1000,
    rcodes: /Response codes:\s+(.*)/.exec(summary)?.[1]?.trim() ?? '',
  };
  if (o.perQuery && latencies.count > 0) {
    result.p50Ms = latencies.percentile(50);
    result.p99Ms = latencies.percentile(99);
  }
  return result;
}

/** Latencies in ms, kept in a growing Float64Array (millions of samples without a million objects). */
export class LatencyRecorder {
  private values = new Float64Array(1 << 16);
  count = 0;
  private sorted = false;

  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = ms;
    this.sorted = false;
  }

  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const view = this.values.subarray(0, this.count);
    if (!this.sorted) {
      view.sort();
      this.sorted = true;
    }
    const idx = Math.min(this.count - 1, Math.max(0, Math.ceil((p / 100) * this.count) - 1));
    return view[idx]!;
  }
}
