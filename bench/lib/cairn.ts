// A cairn replica as a user runs it: a separate `node src/main.ts` process with flags, on free loopback
// ports, optionally pinned to a CPU and profiled; plus an AWS SDK v3 client pointed at its API.
import { Agent } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { repoRoot, startNodeFlags } from './node-flags.ts';
import { freePort, loopbackFlags } from './ports.ts';
import { scratchDir, start, waitFor, type Proc } from './proc.ts';

export { repoRoot, startNodeFlags };

export interface CairnOptions {
  name: string;
  /** Redis store; omitted: the embedded store. */
  redis?: { url: string; prefix: string };
  cpu?: number | undefined;
  /** Raised API limits so large data sets fit. */
  maxInstancesPerService?: number;
  maxInstancesPerNamespace?: number;
  maxNamespaces?: number;
  /** Reuse ports (a restart of the same replica). */
  ports?: { api: number; dns: number };
  /** Write a V8 CPU profile (node --cpu-prof) into this directory when the process exits. */
  cpuProfDir?: string;
  extraFlags?: string[];
  /** Extra flags for node itself (before src/main.ts), e.g. --inspect=127.0.0.1:0. */
  nodeFlags?: string[];
}

export interface Cairn {
  name: string;
  apiPort: number;
  dnsPort: number;
  endpoint: string;
  proc: Proc;
  /** Milliseconds from spawn to /readyz answering 200 (the catalog loaded, every listener bound). */
  readyMs: number;
  /** The `ms` of its "catalog loaded" log line. */
  catalogLoadMs: number | undefined;
  stop(): Promise<void>;
}

export async function startCairn(o: CairnOptions): Promise<Cairn> {
  const apiPort = o.ports?.api ?? (await freePort());
  const dnsPort = o.ports?.dns ?? (await freePort());
  const flags = [
    ...loopbackFlags(apiPort, dnsPort),
    '--max-instances-per-service',
    String(o.maxInstancesPerService ?? 1000),
    '--max-instances-per-namespace',
    String(o.maxInstancesPerNamespace ?? 2000),
    '--max-namespaces',
    String(o.maxNamespaces ?? 50),
    '--log-level',
    'info',
    ...(o.redis ? ['--redis-url', o.redis.url, '--redis-prefix', o.redis.prefix] : []),
    ...(o.extraFlags ?? []),
  ];
  const nodeFlags: string[] = [...startNodeFlags(), ...(o.nodeFlags ?? [])];
  if (o.cpuProfDir) {
    mkdirSync(o.cpuProfDir, { recursive: true });
    nodeFlags.push('--cpu-prof', '--cpu-prof-dir', o.cpuProfDir);
  }
  // Only the flags configure it: no CAIRN_* variable from the caller's environment leaks in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_')));
  const t0 = performance.now();
  const proc = start(o.name, process.execPath, [...nodeFlags, join(repoRoot, 'src/main.ts'), ...flags], { cpu: o.cpu, env, cwd: repoRoot });
  const endpoint = `http://127.0.0.1:${apiPort}`;
  await waitFor(
    `${o.name} /readyz`,
    async () => {
      const res = await fetch(`${endpoint}/readyz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return res.status === 200 ? true : undefined;
    },
    120_000,
    proc,
  );
  const readyMs = performance.now() - t0;
  return {
    name: o.name,
    apiPort,
    dnsPort,
    endpoint,
    proc,
    readyMs,
    catalogLoadMs: catalogLoadMs(proc.log()),
    stop: () => proc.stop(10_000),
  };
}

function catalogLoadMs(log: string): number | undefined {
  for (const line of log.split('\n')) {
    if (!line.includes('catalog loaded')) continue;
    try {
      return (JSON.parse(line) as { ms?: number }).ms;
    } catch {
      /* not JSON */
    }
  }
  return undefined;
}

/** An SDK client as an application would configure one against cairn (no `data-` host prefix). */
export function sdkClient(endpoint: string, maxSockets = 64): ServiceDiscoveryClient {
  return new ServiceDiscoveryClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    disableHostPrefix: true,
    maxAttempts: 3,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets }) },
  });
}

export const profileDir = (name: string): string => join(scratchDir(), `profile-${name}`);
