// Benchmark: DiscoverInstances on services of 100 and 1,000 instances (all returned, with and without
// QueryParameters) under autocannon, against a bare fastify route returning the same JSON body, same run.
//   npx node bench/discover.ts [--seconds 10] [--connections 10]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateServiceCommand, RegisterInstanceCommand } from '@aws-sdk/client-servicediscovery';
import { autocannon, type HttpResult } from './lib/autocannon.ts';
import { repoRoot, sdkClient, startCairn, type Cairn } from './lib/cairn.ts';
import { createHttpNamespace, pool } from './lib/load.ts';
import { freePort } from './lib/ports.ts';
import { cpuPlan, scratchDir, start, stopAll, waitFor, type Proc } from './lib/proc.ts';
import { int, ms, ratio, renderTable, type Table } from './lib/table.ts';

export interface DiscoverBenchOptions {
  seconds: number;
  connections: number;
  sizes: number[];
}
export const defaultDiscoverOptions: DiscoverBenchOptions = { seconds: 10, connections: 10, sizes: [100, 1000] };

const TARGET = 'Route53AutoNaming_v20170314.DiscoverInstances';
const NAMESPACE = 'discover.bench';
const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

interface Case {
  id: string;
  instances: number;
  request: Record<string, unknown>;
  label: string;
}

function cases(sizes: number[]): Case[] {
  return sizes.flatMap((n) => [
    { id: `n${n}`, instances: n, label: 'all', request: { NamespaceName: NAMESPACE, ServiceName: `svc${n}`, MaxResults: 1000 } },
    {
      id: `n${n}-q`,
      instances: n,
      label: 'QueryParameters stage=beta',
      request: { NamespaceName: NAMESPACE, ServiceName: `svc${n}`, MaxResults: 1000, QueryParameters: { stage: 'beta' } },
    },
  ]);
}

async function load(cairn: Cairn, sizes: number[]): Promise<void> {
  const client = sdkClient(cairn.endpoint, 32);
  try {
    const nsId = await createHttpNamespace(client, NAMESPACE);
    for (const n of sizes) {
      const svc = await client.send(new CreateServiceCommand({ Name: `svc${n}`, NamespaceId: nsId }));
      const ids = Array.from({ length: n }, (_, i) => i);
      await pool(ids, 32, async (i) => {
        await client.send(
          new RegisterInstanceCommand({
            ServiceId: svc.Service!.Id!,
            InstanceId: `instance-${i}`,
            Attributes: {
              AWS_INSTANCE_IPV4: `10.1.${i >> 8}.${i & 255}`,
              AWS_INSTANCE_PORT: String(8000 + (i % 100)),
              stage: i % 2 === 0 ? 'beta' : 'prod',
              version: `1.${i % 4}`,
              zone: `us-east-1${'abc'[i % 3]}`,
            },
          }),
        );
      });
    }
  } finally {
    client.destroy();
  }
}

/** The response cairn gives a case (checked to be a full, successful answer). */
async function responseOf(cairn: Cairn, c: Case): Promise<{ body: object; bytes: number; count: number }> {
  const res = await fetch(`${cairn.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET },
    body: JSON.stringify(c.request),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`DiscoverInstances ${c.id} answered ${res.status}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { Instances?: unknown[] };
  const count = body.Instances?.length ?? 0;
  const expected = c.request.QueryParameters ? c.instances / 2 : c.instances;
  if (count !== expected) throw new Error(`DiscoverInstances ${c.id} returned ${count} instances, expected ${expected}`);
  return { body, bytes: Buffer.byteLength(text), count };
}

async function startBare(bodies: Record<string, object>, cpu: number | undefined): Promise<{ port: number; proc: Proc }> {
  const file = join(scratchDir(), 'bare-bodies.json');
  writeFileSync(file, JSON.stringify(bodies));
  const port = await freePort();
  const proc = start('bare-fastify', process.execPath, [join(repoRoot, 'bench/lib/bare-route.ts'), String(port), file], {
    cpu,
    cwd: repoRoot,
  });
  await waitFor('the bare fastify route', async () => (proc.log().includes('listening') ? true : undefined), 20_000, proc);
  return { port, proc };
}

export async function benchDiscover(o: DiscoverBenchOptions): Promise<Table[]> {
  const cpus = cpuPlan();
  const all = cases(o.sizes);
  let cairn: Cairn | undefined;
  let bare: { port: number; proc: Proc } | undefined;
  const rows: (string | undefined)[][] = [];
  try {
    log('discover: starting cairn (embedded store) and registering instances');
    cairn = await startCairn({ name: 'cairn-discover', cpu: cpus.server, maxInstancesPerNamespace: 10_000 });
    await load(cairn, o.sizes);
    const responses = new Map<string, { body: object; bytes: number; count: number }>();
    for (const c of all) responses.set(c.id, await responseOf(cairn, c));
    bare = await startBare(Object.fromEntries([...responses].map(([id, r]) => [id, r.body])), cpus.server);
    for (const c of all) {
      const body = JSON.stringify(c.request);
      const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET };
      const measure = async (url: string): Promise<HttpResult> => {
        await autocannon({ url, body, headers, seconds: 1, connections: o.connections, cpu: cpus.load }); // warm-up (JIT)
        return autocannon({ url, body, headers, seconds: o.seconds, connections: o.connections, cpu: cpus.load });
      };
      log(`discover: ${c.id} cairn`);
      const mine = await measure(`${cairn.endpoint}/`);
      log(`discover: ${c.id} bare fastify`);
      const ref = await measure(`http://127.0.0.1:${bare.port}/${c.id}`);
      const r = responses.get(c.id)!;
      const failures = mine.errors + mine.non2xx + ref.errors + ref.non2xx;
      rows.push([
        String(c.instances),
        c.label,
        String(r.count),
        int(r.bytes),
        int(mine.rps),
        ms(mine.p99Ms, 0),
        int(ref.rps),
        ms(ref.p99Ms, 0),
        ratio(mine.rps, ref.rps),
        failures > 0 ? `${failures} errors/non-2xx` : undefined,
      ]);
    }
  } finally {
    await bare?.proc.stop();
    await cairn?.stop();
  }
  return [
    {
      title: `DiscoverInstances under autocannon (${o.connections} connections, ${o.seconds} s per run) vs a bare fastify route returning the same JSON`,
      columns: [
        'instances',
        'request',
        'returned',
        'body bytes',
        'cairn req/s',
        'cairn p99 ms',
        'fastify req/s',
        'fastify p99 ms',
        'ratio',
        'errors',
      ],
      rows,
      notes: [
        'MaxResults 1000 (every match returned). The reference parses the request and serialises the same object per request (fastify, no schema). Latency resolution is 1 ms (autocannon).',
        cpus.server !== undefined
          ? 'Servers pinned to the last CPU, autocannon to CPU 0 (taskset).'
          : 'Not pinned (taskset missing or one CPU).',
      ],
    },
  ];
}

export function parseDiscoverArgs(argv: string[]): DiscoverBenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { seconds: { type: 'string' }, connections: { type: 'string' }, sizes: { type: 'string' } },
  });
  return {
    seconds: Number(values.seconds ?? defaultDiscoverOptions.seconds),
    connections: Number(values.connections ?? defaultDiscoverOptions.connections),
    sizes: values.sizes ? values.sizes.split(',').map(Number) : defaultDiscoverOptions.sizes,
  };
}

if (import.meta.main) {
  try {
    for (const t of await benchDiscover(parseDiscoverArgs(process.argv.slice(2)))) process.stdout.write(`\n${renderTable(t)}`);
  } finally {
    await stopAll();
  }
}
