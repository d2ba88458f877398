// The DNS servers a benchmark compares, behind one shape: start with a data set loaded, report how long
// loading took, stop. cairn is loaded through its API; Knot from a zone file of the same data.
import { randomBytes } from 'node:crypto';
import type { Dataset } from './dataset.ts';
import { startCairn, sdkClient, type Cairn } from './cairn.ts';
import { dnsQuery } from './dns-client.ts';
import { startKnot } from './knot.ts';
import { loadDataset } from './load.ts';
import { waitFor } from './proc.ts';
import { startRedis, type Redis } from './redis.ts';

/** cairn-dgram: the embedded store with UDP through node:dgram instead of the native batching addon. */
export type TargetKind = 'knot' | 'cairn-memory' | 'cairn-redis' | 'cairn-dgram';
export const targetKinds: readonly TargetKind[] = ['knot', 'cairn-memory', 'cairn-redis', 'cairn-dgram'];

export interface RunningTarget {
  kind: TargetKind;
  port: number;
  /** Time to load the data, ms (API calls for cairn, zone load for Knot). */
  loadMs: number;
  pid: number;
  cairn?: Cairn;
  stop(): Promise<void>;
}

export interface TargetOptions {
  cpu: number | undefined;
  concurrency: number;
  cpuProfDir?: string;
  /** Budget for registering the data through the API (see loadDataset). */
  budgetMs?: number;
  log?: (msg: string) => void;
}

export async function startTarget(kind: TargetKind, d: Dataset, o: TargetOptions): Promise<RunningTarget> {
  if (kind === 'knot') {
    const t = performance.now();
    const knot = await startKnot(d, o.cpu);
    return { kind, port: knot.port, loadMs: performance.now() - t, pid: knot.proc.pid, stop: () => knot.stop() };
  }
  let redis: Redis | undefined;
  let cairn: Cairn | undefined;
  try {
    if (kind === 'cairn-redis') redis = await startRedis(o.cpu);
    cairn = await startCairn({
      name: kind,
      cpu: o.cpu,
      ...(redis ? { redis: { url: redis.url, prefix: `b${randomBytes(4).toString('hex')}` } } : {}),
      maxInstancesPerNamespace: Math.max(2000, d.instanceCount),
      maxInstancesPerService: 1000,
      ...(o.cpuProfDir ? { cpuProfDir: o.cpuProfDir } : {}),
      ...(kind === 'cairn-dgram' ? { extraFlags: ['--dns-udp-io', 'dgram'] } : {}),
    });
    const client = sdkClient(cairn.endpoint, o.concurrency);
    let loaded;
    try {
      loaded = await loadDataset(client, d, {
        concurrency: o.concurrency,
        ...(o.budgetMs !== undefined ? { budgetMs: o.budgetMs } : {}),
        progress: (done, total) =>
          o.log?.(`  ${kind}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} instances registered`),
      });
    } finally {
      client.destroy();
    }
    const c = cairn;
    await waitFor(
      `${kind} DNS to answer for ${d.namespace}`,
      async () => {
        const res = await dnsQuery(c.dnsPort, d.namespace, 'SOA', 300);
        return res.rcode === 'NOERROR' ? true : undefined;
      },
      10_000,
      c.proc,
    );
    const r = redis;
    return {
      kind,
      port: c.dnsPort,
      loadMs: loaded.servicesMs + loaded.instancesMs,
      pid: c.proc.pid,
      cairn: c,
      stop: async () => {
        await c.stop();
        await r?.stop();
      },
    };
  } catch (e) {
    await cairn?.stop();
    await redis?.stop();
    throw e;
  }
}
