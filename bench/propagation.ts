// Benchmark: how long a change made through replica A takes to show in replica B's DNS answers (two
// cairn processes on one Redis): 1,000 RegisterInstance calls, then health flips of a custom-health
// service. Each is timed from just before the API call until B's first answer that reflects it.
//   npx node bench/propagation.ts [--registrations 1000] [--flips 200]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  CreateServiceCommand,
  RegisterInstanceCommand,
  UpdateInstanceCustomHealthStatusCommand,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { sdkClient, startCairn, type Cairn } from './lib/cairn.ts';
import { DnsClient, type DnsAnswer } from './lib/dns-client.ts';
import { LatencyRecorder } from './lib/dnsperf.ts';
import { createDnsNamespace } from './lib/load.ts';
import { cpuPlan, stopAll, waitFor } from './lib/proc.ts';
import { startRedis, type Redis } from './lib/redis.ts';
import { int, ms, renderTable, type Table } from './lib/table.ts';
import { requireTools } from './lib/tools.ts';

export interface PropagationOptions {
  registrations: number;
  flips: number;
}
export const defaultPropagationOptions: PropagationOptions = { registrations: 1000, flips: 200 };

const NAMESPACE = 'prop.bench';
const HEALTH_INSTANCES = 4; // fewer than 8, so every healthy one is in every answer
const GIVE_UP_MS = 5000;
const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

interface Series {
  name: string;
  visible: LatencyRecorder;
  api: LatencyRecorder;
  missed: number;
}

/** Starts the API call and polls B until `seen(answer)`; returns ms to visibility and to the API reply. */
async function timeToVisible(
  call: () => Promise<unknown>,
  poll: () => Promise<DnsAnswer>,
  seen: (a: DnsAnswer) => boolean,
): Promise<{ visibleMs: number | undefined; apiMs: number }> {
  const t0 = performance.now();
  let apiMs = NaN;
  const api = call().then(() => {
    apiMs = performance.now() - t0;
  });
  let visibleMs: number | undefined;
  while (performance.now() - t0 < GIVE_UP_MS) {
    const a = await poll().catch(() => undefined);
    if (a && seen(a)) {
      visibleMs = performance.now() - t0;
      break;
    }
  }
  await api;
  return { visibleMs, apiMs };
}

const hasAddress =
  (ip: string) =>
  (a: DnsAnswer): boolean =>
    a.answers.some((r) => r.type === 'A' && r.data === ip);

export async function benchPropagation(o: PropagationOptions): Promise<Table[]> {
  requireTools(['redis-server']);
  const cpus = cpuPlan();
  let redis: Redis | undefined;
  let a: Cairn | undefined;
  let b: Cairn | undefined;
  let client: ServiceDiscoveryClient | undefined;
  let dns: DnsClient | undefined;
  const reg: Series = {
    name: `RegisterInstance via A → in B's DNS (${int(o.registrations)} calls)`,
    visible: new LatencyRecorder(),
    api: new LatencyRecorder(),
    missed: 0,
  };
  const flip: Series = {
    name: `Health flip via A → in B's DNS (${int(o.flips)} flips)`,
    visible: new LatencyRecorder(),
    api: new LatencyRecorder(),
    missed: 0,
  };
  try {
    redis = await startRedis(cpus.server);
    const prefix = `p${randomBytes(4).toString('hex')}`;
    const common = { cpu: cpus.server, redis: { url: redis.url, prefix }, maxInstancesPerNamespace: 10_000 };
    [a, b] = await Promise.all([startCairn({ name: 'replica-a', ...common }), startCairn({ name: 'replica-b', ...common })]);
    client = sdkClient(a.endpoint, 4);
    dns = new DnsClient(b.dnsPort);
    const d = dns;
    const nsId = await createDnsNamespace(client, NAMESPACE);
    const regSvc = await client.send(
      new CreateServiceCommand({
        Name: 'reg',
        NamespaceId: nsId,
        DnsConfig: {
          DnsRecords: [
            { Type: 'A', TTL: 10 },
            { Type: 'SRV', TTL: 10 },
          ],
        },
      }),
    );
    const hcSvc = await client.send(
      new CreateServiceCommand({
        Name: 'hc',
        NamespaceId: nsId,
        DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] },
        HealthCheckCustomConfig: {},
      }),
    );
    await waitFor(
      `replica B to serve ${NAMESPACE}`,
      async () => ((await d.query(NAMESPACE, 'SOA', 300)).rcode === 'NOERROR' ? true : undefined),
      10_000,
      b.proc,
    );

    log(`propagation: ${o.registrations} registrations through A, watched on B`);
    const c = client;
    for (let k = 0; k < o.registrations; k++) {
      const ip = `10.2.${k >> 8}.${k & 255}`;
      // An SRV service gives each instance its own host name, so one answer says whether it arrived.
      const r = await timeToVisible(
        () =>
          c.send(
            new RegisterInstanceCommand({
              ServiceId: regSvc.Service!.Id!,
              InstanceId: `r${k}`,
              Attributes: { AWS_INSTANCE_IPV4: ip, AWS_INSTANCE_PORT: '80' },
            }),
          ),
        () => d.query(`r${k}.reg.${NAMESPACE}`, 'A', 200),
        hasAddress(ip),
      );
      record(reg, r);
    }

    log(`propagation: ${o.flips} health flips through A, watched on B`);
    const hcId = hcSvc.Service!.Id!;
    const ips = Array.from({ length: HEALTH_INSTANCES }, (_, i) => `10.3.0.${i + 1}`);
    for (const [i, ip] of ips.entries())
      await c.send(new RegisterInstanceCommand({ ServiceId: hcId, InstanceId: `h${i}`, Attributes: { AWS_INSTANCE_IPV4: ip } }));
    await waitFor(
      'B to answer every health-check instance',
      async () => {
        const ans = await d.query(`hc.${NAMESPACE}`, 'A', 200);
        return ips.every((ip) => hasAddress(ip)(ans)) ? true : undefined;
      },
      10_000,
    );
    for (let f = 0; f < o.flips; f++) {
      const i = Math.floor(f / 2) % HEALTH_INSTANCES;
      const down = f % 2 === 0; // take it out, then bring it back
      const r = await timeToVisible(
        () =>
          c.send(
            new UpdateInstanceCustomHealthStatusCommand({ ServiceId: hcId, InstanceId: `h${i}`, Status: down ? 'UNHEALTHY' : 'HEALTHY' }),
          ),
        () => d.query(`hc.${NAMESPACE}`, 'A', 200),
        (ans) => hasAddress(ips[i]!)(ans) !== down,
      );
      record(flip, r);
    }
  } finally {
    dns?.close();
    client?.destroy();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  }
  const row = (s: Series): (string | undefined)[] => [
    s.name,
    ms(s.visible.percentile(50)),
    ms(s.visible.percentile(99)),
    ms(s.visible.percentile(100)),
    ms(s.api.percentile(50)),
    ms(s.api.percentile(99)),
    int(s.missed),
  ];
  return [
    {
      title: 'Propagation between two replicas on one Redis (time from the API call on A to the first answer from B that shows it)',
      columns: ['change', 'p50 ms', 'p99 ms', 'max ms', 'API call p50 ms', 'API call p99 ms', `not seen in ${GIVE_UP_MS / 1000} s`],
      rows: [row(reg), row(flip)],
      notes: [
        "B is polled with raw UDP queries (dns-packet) back to back while the call is in flight; the API call time is A's reply to the SDK.",
      ],
    },
  ];
}

function record(s: Series, r: { visibleMs: number | undefined; apiMs: number }): void {
  s.api.add(r.apiMs);
  if (r.visibleMs === undefined) s.missed++;
  else s.visible.add(r.visibleMs);
}

export function parsePropagationArgs(argv: string[]): PropagationOptions {
  const { values } = parseArgs({ args: argv, strict: true, options: { registrations: { type: 'string' }, flips: { type: 'string' } } });
  return {
    registrations: Number(values.registrations ?? defaultPropagationOptions.registrations),
    flips: Number(values.flips ?? defaultPropagationOptions.flips),
  };
}

if (import.meta.main) {
  try {
    for (const t of await benchPropagation(parsePropagationArgs(process.argv.slice(2)))) process.stdout.write(`\n${renderTable(t)}`);
  } finally {
    await stopAll();
  }
}
