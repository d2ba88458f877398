// Benchmark: one replica (Redis store) holding 100,000 instances: how long loading them through the API
// takes, the replica's resident memory, how long a restart takes to load the catalog from Redis, and DNS
// queries/s under dnsperf on the restarted replica.
//   npx node bench/scale.ts [--services 100] [--per-service 1000] [--seconds 10] [--concurrency 128] [--load-budget 10 (min)]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sdkClient, startCairn, type Cairn } from './lib/cairn.ts';
import { dataset, mixes, queryFile } from './lib/dataset.ts';
import { dnsperf, writeQueryFile, type DnsperfResult } from './lib/dnsperf.ts';
import { loadDataset } from './lib/load.ts';
import { cpuPlan, rssBytes, stopAll } from './lib/proc.ts';
import { startRedis, type Redis } from './lib/redis.ts';
import { int, mb, ms, renderTable, secs, type Table } from './lib/table.ts';
import { requireTools } from './lib/tools.ts';

export interface ScaleOptions {
  services: number;
  perService: number;
  seconds: number;
  concurrency: number;
  loadBudgetMin: number;
}
// Services of 1,000 (the per-service limit): every A answer picks 8 of 1,000 at random.
export const defaultScaleOptions: ScaleOptions = { services: 100, perService: 1000, seconds: 10, concurrency: 128, loadBudgetMin: 10 };

const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

export async function benchScale(o: ScaleOptions): Promise<Table[]> {
  requireTools(['redis-server', 'dnsperf']);
  const cpus = cpuPlan();
  const d = dataset(o.services, o.perService);
  const flags = {
    cpu: cpus.server,
    maxInstancesPerNamespace: Math.max(2000, d.instanceCount),
    maxInstancesPerService: Math.max(1000, o.perService),
  };
  let redis: Redis | undefined;
  let cairn: Cairn | undefined;
  let loadMs: number;
  let rssLoaded: number;
  let rssRestarted: number;
  let rssAfterQueries: number;
  let restart: Cairn | undefined;
  let qps: DnsperfResult | undefined;
  try {
    redis = await startRedis(cpus.server);
    const store = { url: redis.url, prefix: `s${randomBytes(4).toString('hex')}` };
    cairn = await startCairn({ name: 'scale', redis: store, ...flags });
    log(`scale: registering ${int(d.instanceCount)} instances through the API (${o.concurrency} in flight)`);
    const client = sdkClient(cairn.endpoint, o.concurrency);
    try {
      const t = performance.now();
      await loadDataset(client, d, {
        concurrency: o.concurrency,
        budgetMs: o.loadBudgetMin * 60_000,
        progress: (done, total) => log(`  ${int(done)} / ${int(total)} after ${secs(performance.now() - t)} s`),
      });
      loadMs = performance.now() - t;
    } finally {
      client.destroy();
    }
    rssLoaded = rssBytes(cairn.proc.pid);
    const ports = { api: cairn.apiPort, dns: cairn.dnsPort };
    await cairn.stop();
    cairn = undefined;

    log('scale: restarting the replica on the loaded Redis');
    restart = await startCairn({ name: 'scale-restart', redis: store, ports, ...flags });
    cairn = restart;
    rssRestarted = rssBytes(restart.proc.pid);
    const file = writeQueryFile(queryFile(d, mixes.mixed!));
    log(`scale: dnsperf for ${o.seconds} s`);
    qps = await dnsperf({ port: restart.dnsPort, queries: file, seconds: o.seconds, cpu: cpus.load });
    rssAfterQueries = rssBytes(restart.proc.pid);
  } finally {
    await cairn?.stop();
    await redis?.stop();
  }
  const MB = 1024 * 1024;
  return [
    {
      title: `Scale: one replica, Redis store, ${int(d.instanceCount)} instances (${int(o.services)} services × ${int(o.perService)}, A + AAAA + SRV)`,
      columns: ['measure', 'value', 'target'],
      rows: [
        ['load through the API (s)', secs(loadMs), undefined],
        ['API load rate (instances/s)', int(d.instanceCount / (loadMs / 1000)), undefined],
        ['restart: catalog loaded (ms, from its log)', ms(restart?.catalogLoadMs, 0), '< 5,000'],
        ['restart: spawn to /readyz 200 (ms)', ms(restart?.readyMs, 0), undefined],
        ['RSS after loading through the API (MB)', mb(rssLoaded), undefined],
        ['RSS after restart (MB)', mb(rssRestarted), '< 300'],
        [`RSS after ${o.seconds} s of dnsperf (MB)`, mb(rssAfterQueries), '< 300'],
        [`DNS QPS (mixed, ${o.seconds} s)`, int(qps?.qps), undefined],
        ['DNS avg latency (ms)', ms(qps?.avgMs, 3), undefined],
      ],
      notes: [
        `Targets met: load ${(restart?.catalogLoadMs ?? Infinity) < 5000 ? 'yes' : 'NO'}, memory ${Math.max(rssRestarted, rssAfterQueries) < 300 * MB ? 'yes' : 'NO'}.`,
      ],
    },
  ];
}

export function parseScaleArgs(argv: string[]): ScaleOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      services: { type: 'string' },
      'per-service': { type: 'string' },
      seconds: { type: 'string' },
      concurrency: { type: 'string' },
      'load-budget': { type: 'string' },
    },
  });
  return {
    services: Number(values.services ?? defaultScaleOptions.services),
    perService: Number(values['per-service'] ?? defaultScaleOptions.perService),
    seconds: Number(values.seconds ?? defaultScaleOptions.seconds),
    concurrency: Number(values.concurrency ?? defaultScaleOptions.concurrency),
    loadBudgetMin: Number(values['load-budget'] ?? defaultScaleOptions.loadBudgetMin),
  };
}

if (import.meta.main) {
  try {
    for (const t of await benchScale(parseScaleArgs(process.argv.slice(2)))) process.stdout.write(`\n${renderTable(t)}`);
  } finally {
    await stopAll();
  }
}
