// Runs autocannon as its own process (pinned to the load generator's CPU, so it does not share a core
// with the server or with this process) and reads its JSON result.
import { join } from 'node:path';
import { repoRoot } from './cairn.ts';
import { run } from './proc.ts';

export interface HttpLoad {
  url: string;
  body: string;
  headers: Record<string, string>;
  seconds: number;
  connections?: number;
  cpu?: number | undefined;
}

export interface HttpResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  avgMs: number;
  bytesPerResponse: number;
  errors: number;
  non2xx: number;
}

interface AutocannonJson {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: { average: number; p50: number; p99: number };
  requests: { total: number };
  throughput: { total: number };
}

export async function autocannon(o: HttpLoad): Promise<HttpResult> {
  const args = [
    join(repoRoot, 'node_modules/autocannon/autocannon.js'),
    '--json',
    '--no-progress',
    '-c',
    String(o.connections ?? 10),
    '-d',
    String(o.seconds),
    '-m',
    'POST',
    '-b',
    o.body,
    ...Object.entries(o.headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]),
    o.url,
  ];
  const out = await run('autocannon', process.execPath, args, { cpu: o.cpu });
  const line = out.split('\n').find((l) => l.trim().startsWith('{'));
  if (!line) throw new Error(`autocannon printed no result:\n${out}`);
  const r = JSON.parse(line) as AutocannonJson;
  return {
    rps: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    avgMs: r.latency.average,
    bytesPerResponse: r.requests.total > 0 ? r.throughput.total / r.requests.total : NaN,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}
