// Benchmark: how soon the agent makes a container visible and invisible. Starts cairn and `cairn agent` as
// processes on this host, then 50 labelled containers one at a time (busybox, docker-init as PID 1): for each,
// the time from `docker run -d` returning (the container is running) until cairn's DNS answers its address
// (polled over UDP) and until DiscoverInstances lists it; then from `docker stop` until both have dropped it.
//   npx node bench/agent-latency.ts [--containers 50]
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  DiscoverInstancesCommand,
  GetOperationCommand,
} from '@aws-sdk/client-servicediscovery';
import { repoRoot, sdkClient, startCairn } from './lib/cairn.ts';
import { aRecords, containerIp, dnsQuery, dockerOk, sweep } from './lib/docker.ts';
import { start, stopAll, waitFor } from './lib/proc.ts';
import { machine, ms, renderTable } from './lib/table.ts';

const { values } = parseArgs({ options: { containers: { type: 'string', default: '50' } } });
const count = Number(values.containers);
const NS = 'latency.bench';
const GIVE_UP_MS = 10_000;
const run = randomBytes(3).toString('hex');
const label = `cairn-bench.run=${run}`;
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

/** Polls `check` every 5 ms from `t0` until it holds; the milliseconds it took, or NaN after GIVE_UP_MS. */
async function until(t0: number, check: () => Promise<boolean>): Promise<number> {
  while (performance.now() - t0 < GIVE_UP_MS) {
    if (await check().catch(() => false)) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 5));
  }
  return NaN;
}

const percentile = (xs: number[], p: number): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

async function main(): Promise<void> {
  const cairn = await startCairn({ name: 'cairn' });
  const client = sdkClient(cairn.endpoint);
  const { OperationId } = await client.send(new CreatePublicDnsNamespaceCommand({ Name: NS }));
  const NamespaceId = (await client.send(new GetOperationCommand({ OperationId }))).Operation!.Targets!.NAMESPACE!;
  await client.send(
    new CreateServiceCommand({ Name: 'web', NamespaceId, DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 0 }] } }),
  );
  const agent = start(
    'agent',
    process.execPath,
    [
      join(repoRoot, 'src/main.ts'),
      'agent',
      '--endpoint',
      cairn.endpoint,
      '--namespace',
      NS,
      '--agent-id',
      `bench-${run}`,
      '--only-label',
      label,
    ],
    { env: { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' }, cwd: repoRoot },
  );
  await waitFor('agent start', async () => (agent.log().includes('agent started') ? true : undefined), 30_000, agent);
  const network = `cb-${run}`;
  await dockerOk(['network', 'create', '--label', label, network]);
  const dnsAnswers = async (ip: string) => aRecords(await dnsQuery('127.0.0.1', cairn.dnsPort, `web.${NS}`, 'A', 200)).includes(ip);
  const listed = async (name: string) =>
    ((await client.send(new DiscoverInstancesCommand({ NamespaceName: NS, ServiceName: 'web' }))).Instances ?? []).some(
      (i) => i.InstanceId === name,
    );
  const series = { dnsUp: [] as number[], apiUp: [] as number[], dnsDown: [] as number[], apiDown: [] as number[] };
  for (let i = 1; i <= count; i++) {
    const name = `cb-${run}-${i}`;
    await dockerOk([
      'run',
      '-d',
      '--init',
      '--name',
      name,
      '--network',
      network,
      '--label',
      label,
      '--label',
      'cairn.service=web',
      'busybox:stable',
      'sleep',
      '100000',
    ]);
    const started = performance.now();
    const ip = await containerIp(name, network);
    const [dnsUp, apiUp] = await Promise.all([until(started, () => dnsAnswers(ip)), until(started, () => listed(name))]);
    const stopping = performance.now();
    await dockerOk(['stop', '-t', '10', name]);
    const [dnsDown, apiDown] = await Promise.all([
      until(stopping, async () => !(await dnsAnswers(ip))),
      until(stopping, async () => !(await listed(name))),
    ]);
    await dockerOk(['rm', name]);
    series.dnsUp.push(dnsUp);
    series.apiUp.push(apiUp);
    series.dnsDown.push(dnsDown);
    series.apiDown.push(apiDown);
    if (i % 10 === 0) log(`${i}/${count} containers`);
  }
  const row = (what: string, xs: number[]) => [
    what,
    ms(percentile(xs, 50), 0),
    ms(percentile(xs, 99), 0),
    ms(Math.max(...xs), 0),
    String(xs.filter((x) => !Number.isFinite(x)).length),
  ];
  process.stdout.write(
    renderTable({
      title: `Agent latency, ${count} containers one at a time`,
      columns: ['measure', 'p50 ms', 'p99 ms', 'max ms', 'missed'],
      rows: [
        row('start → DNS answers it', series.dnsUp),
        row('start → DiscoverInstances lists it', series.apiUp),
        row('docker stop → DNS no longer answers it', series.dnsDown),
        row('docker stop → DiscoverInstances no longer lists it', series.apiDown),
      ],
      notes: [
        '"start": `docker run -d` has returned (the container runs). "docker stop": the call is made (docker-init passes SIGTERM on, so the container ends at once).',
        `${await machine()}; cairn (embedded store) and the agent as processes on this host.`,
      ],
    }),
  );
  client.destroy();
}

try {
  await main();
} finally {
  await sweep(label).catch((e: unknown) => log(`cleanup: ${(e as Error).message}`));
  await stopAll();
}
