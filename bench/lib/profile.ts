// Summarises a V8 CPU profile (node --cpu-prof): self time per function over a time window (the load
// run), so the report says where the time went without opening DevTools.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './cairn.ts';
import type { Table } from './table.ts';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Monotonic clock in µs, the clock V8 stamps profiles with on Linux. */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

export function latestProfile(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir} (did the process exit cleanly?)`);
  return join(dir, files[files.length - 1]!);
}

export function summariseProfile(file: string, window?: { from: number; to: number }, top = 15): Table {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  const inWindow = (ts: number): boolean => !window || (ts >= window.from && ts <= window.to);
  let kept = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (!inWindow(t)) continue;
    kept++;
    const node = byId.get(p.samples[i]!);
    if (!node) continue;
    const key = frameName(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  if (window && kept === 0) return summariseProfile(file, undefined, top);
  const rows = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => [name, (us / 1000).toFixed(0), `${((100 * us) / total).toFixed(1)} %`]);
  return {
    title: `CPU profile of cairn (embedded store, 1k instances) during a full-speed dnsperf run: top ${top} functions by self time`,
    columns: ['function (file:line)', 'self ms', 'share'],
    rows,
    notes: [`${(total / 1000).toFixed(0)} ms of samples${window ? ' inside the dnsperf window' : ''}; profile ${file}`],
  };
}

function frameName(f: { functionName: string; url: string; lineNumber: number }): string {
  const fn = f.functionName || '(anonymous)';
  if (!f.url) return fn; // (garbage collector), (program), (idle), native
  let where = f.url.replace(/^file:\/\//, '');
  if (where.startsWith(repoRoot)) where = relative(repoRoot, where);
  where = where.replace(/^.*node_modules\//, '');
  return `${fn} ${where}:${f.lineNumber + 1}`;
}
