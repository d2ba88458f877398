// Long-run fuzzing (`npm run fuzz`): the properties of `npm test`'s fuzz tests, in a loop for minutes,
// against cairn as users run it (its own processes: the embedded store, and a Redis store on a
// redis-server it starts) or against a running server; then a summary, and exit 1 on any 5xx, crash,
// hang, memory growth or error logged.
//   npm run fuzz -- [--minutes 10] [--store memory|redis|both] [--concurrency 4] [--seed N] [--rss-limit 50]
//   npm run fuzz -- --target http://127.0.0.1:8080 --dns 127.0.0.1:8053 [--pid N]
//     (a server this run did not start: its data is changed, so never one whose registry matters)
import { parseArgs } from 'node:util';
import { startCairn } from './lib/cairn.ts';
import { stopAll } from './lib/proc.ts';
import { startRedis } from './lib/redis.ts';
import { requireTools } from './lib/tools.ts';
import { renderReport } from './fuzz/report.ts';
import { FUZZ_VPC_FLAG } from './fuzz/resources.ts';
import { failed, fuzzSession, type Subject } from './fuzz/session.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    minutes: { type: 'string', default: '10' },
    store: { type: 'string', default: 'both' },
    concurrency: { type: 'string', default: '4' },
    seed: { type: 'string' },
    'rss-limit': { type: 'string', default: '50' },
    target: { type: 'string' },
    dns: { type: 'string' },
    pid: { type: 'string' },
  },
});

const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error('--minutes takes a positive number');
const stores = values.store === 'both' ? ['memory', 'redis'] : [values.store];
if (!stores.every((s) => s === 'memory' || s === 'redis')) throw new Error('--store takes memory, redis or both');
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const rssLimitMb = Number(values['rss-limit']);

/** A fuzzer floods what it aims at: only servers on this machine. */
function loopbackHost(host: string, what: string): string {
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/.test(host))
    throw new Error(`${what}: ${host} is not a loopback address; the fuzzer only targets this machine`);
  return host.replace(/^\[|\]$/g, '');
}

async function external(): Promise<Subject> {
  const url = new URL(values.target!);
  loopbackHost(url.hostname, '--target');
  const m = /^(.+):(\d+)$/.exec(values.dns ?? '');
  if (!m) throw new Error("--target needs --dns HOST:PORT (the same server's DNS listener)");
  return {
    name: `cairn at ${url.host}`,
    endpoint: url.origin,
    dns: { host: loopbackHost(m[1]!, '--dns'), port: Number(m[2]) },
    ...(values.pid ? { pid: Number(values.pid) } : {}),
  };
}

async function managed(store: string): Promise<Subject> {
  const redis = store === 'redis' ? await startRedis() : undefined;
  const cairn = await startCairn({
    name: `cairn-fuzz-${store}`,
    ...(redis ? { redis: { url: redis.url, prefix: 'fuzz' } } : {}),
    // Operations older than a minute are pruned, so the records of a long run do not read as growth.
    extraFlags: [...FUZZ_VPC_FLAG, '--log-level', 'warn', '--operation-retention', '1m'],
    nodeFlags: ['--inspect=127.0.0.1:0'],
  });
  return {
    name: `cairn (${store} store)`,
    endpoint: cairn.endpoint,
    dns: { host: '127.0.0.1', port: cairn.dnsPort },
    proc: cairn.proc,
    pid: cairn.proc.pid,
  };
}

async function main(): Promise<number> {
  if (!values.target && stores.includes('redis')) requireTools(['redis-server']);
  const subjects = values.target ? [await external()] : await Promise.all(stores.map(managed));
  console.log(
    `fuzzing ${subjects.map((s) => s.name).join(' and ')} for ${minutes} min (seed ${seed}: --seed ${seed} generates the same cases again)`,
  );
  const reports = await Promise.all(
    subjects.map((s, i) => fuzzSession(s, { seconds: minutes * 60, concurrency: Number(values.concurrency), seed: seed + i, rssLimitMb })),
  );
  for (const r of reports) console.log(renderReport(r, rssLimitMb));
  await stopAll();
  return reports.some((r) => failed(r, rssLimitMb)) ? 1 : 0;
}

process.exit(await main());
