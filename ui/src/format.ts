// Times and small texts as an operator reads them: "3 min ago", "A 60s", "HTTP /health after 3 failures".
import type { Service } from './net/cloudmap.ts';

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 365],
];

/** "12 sec. ago", "3 min. ago", "yesterday" for an epoch-ms time before `now`. */
export function ago(at: number, now: number): string {
  let value = (at - now) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return relative.format(Math.round(value), 'year');
}

/** A wall-clock time, for titles and the timeline. */
export const clock = (at: number): string => new Date(at).toLocaleString();

export function records(s: Service): string {
  if (!s.DnsConfig) return 'none (HTTP only)';
  return s.DnsConfig.DnsRecords.map((r) => `${r.Type} ${r.TTL}s`).join(', ');
}

export function healthCheck(s: Service): string {
  if (s.HealthCheckConfig) {
    const c = s.HealthCheckConfig;
    const n = c.FailureThreshold ?? 1;
    return `${c.Type}${c.ResourcePath ? ` ${c.ResourcePath}` : ''}, flips after ${n} result${n === 1 ? '' : 's'}`;
  }
  if (s.HealthCheckCustomConfig) return 'custom (UpdateInstanceCustomHealthStatus)';
  return 'none';
}

/** "key=value" pairs as DiscoverInstances takes them (QueryParameters); blank or malformed ones are left out. */
export function parsePairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq > 0) out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
}

export const matches = (query: string, ...texts: (string | undefined)[]): boolean => {
  const q = query.trim().toLowerCase();
  return q === '' || texts.some((t) => t !== undefined && t.toLowerCase().includes(q));
};
