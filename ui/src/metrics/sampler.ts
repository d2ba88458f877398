// Samples /metrics every few seconds while the console is open and keeps the last minutes of DNS counters,
// so the front page can draw queries per second and answers by rcode as rates between samples.
import { samplesOf } from './prometheus.ts';

export const SAMPLE_MS = 3000;
export const WINDOW_MS = 10 * 60_000;
const DNS_QUERIES = 'cairn_dns_queries_total';

/** DNS queries at a time, in all and by rcode: counters in a sample, per-second rates between two. */
export interface DnsPoint {
  at: number;
  total: number;
  byRcode: Record<string, number>;
}

export type MetricsState = 'waiting' | 'sampling' | 'absent' | 'failing';

let samples: DnsPoint[] = [];
let state: MetricsState = 'waiting';
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

export const metricsState = (): MetricsState => state;

/** Starts sampling (once per page). */
export function startSampling(): void {
  if (timer !== undefined) return;
  void sample();
  timer = setInterval(() => void sample(), SAMPLE_MS);
}

export function onSample(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function sample(): Promise<void> {
  try {
    const res = await fetch('/metrics', { cache: 'no-store' });
    if (res.status === 404) state = 'absent';
    else if (!res.ok) state = 'failing';
    else {
      const at = Date.now();
      const byRcode: Record<string, number> = {};
      let total = 0;
      for (const s of samplesOf(await res.text(), DNS_QUERIES)) {
        total += s.value;
        const rcode = s.labels.rcode ?? 'unknown';
        byRcode[rcode] = (byRcode[rcode] ?? 0) + s.value;
      }
      samples = [...samples.filter((s) => s.at >= at - WINDOW_MS), { at, total, byRcode }];
      state = 'sampling';
    }
  } catch {
    state = 'failing';
  }
  for (const l of listeners) l();
}

/** Per-second rates between consecutive samples (a counter that went down restarted: its new value counts). */
export function rates(): DnsPoint[] {
  const out: DnsPoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const seconds = (b.at - a.at) / 1000;
    if (seconds <= 0) continue;
    const rate = (now: number, before: number): number => (now >= before ? now - before : now) / seconds;
    const byRcode: Record<string, number> = {};
    for (const [rcode, v] of Object.entries(b.byRcode)) byRcode[rcode] = rate(v, a.byRcode[rcode] ?? 0);
    out.push({ at: b.at, total: rate(b.total, a.total), byRcode });
  }
  return out;
}
