// Real Redis deployments for tests, on free loopback ports in a temporary folder: one server, a master with
// replicas, the same watched by three Sentinels, and a three-master Cluster (redis-cli --cluster create).
// Each stops cleanly.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../../bench/lib/ports.ts';
import { eventually } from './eventually.ts';

const run = promisify(execFile);

export interface Deployment {
  /** The URL cairn is given (--redis-url). */
  url: string;
  stop(): Promise<void>;
}

export interface SentinelDeployment extends Deployment {
  masterName: string;
  sentinelPorts: number[];
  /** The data nodes: the first starts as master, the others as its replicas. */
  dataPorts: number[];
}

/** Starts redis-server with `args` and resolves once it accepts connections (`ready` is what it prints then). */
export async function startProcess(args: string[], ready = 'Ready to accept connections'): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server ${args.join(' ')} did not start: ${out}`)), 10_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run redis-server (is it installed and on PATH?): ${e.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${out}`));
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}

/** Stops a child with SIGTERM and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const dataArgs = (port: number, dir: string): string[] => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
  '--dir',
  dir,
  '--dbfilename',
  `dump-${port}.rdb`,
];

/** A redis-server on `port` that keeps its files in `dir` and persists nothing, with `extra` arguments. */
export function startRedis(port: number, dir: string, extra: string[] = []): Promise<ChildProcess> {
  return startProcess([...dataArgs(port, dir), ...extra]);
}

/**
 * Runs `start` with a new temporary folder and a list for the processes it starts; what it returns gains
 * stop(), which ends them and removes the folder (at once when `start` fails).
 */
async function inFolder<T>(
  name: string,
  start: (dir: string, children: ChildProcess[]) => Promise<T>,
): Promise<T & { stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `cairn-${name}-`));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(stopProcess));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    return { ...(await start(dir, children)), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** One redis-server of its own: `redis://` to it. */
export function startStandalone(): Promise<Deployment & { port: number; child: ChildProcess }> {
  return inFolder('redis', async (dir, children) => {
    const port = await freePort();
    const child = await startRedis(port, dir);
    children.push(child);
    return { url: `redis://127.0.0.1:${port}`, port, child };
  });
}

/** Polls `check` every 50 ms until it holds (an error counts as not yet); throws `what` after `ms`. */
export async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  await eventually(
    async () => {
      if (!(await check().catch(() => false))) throw new Error(`timed out waiting for ${what}`);
    },
    ms,
    50,
  );
}

/** One command on a throwaway connection to a local port. */
export async function ask<T>(port: number, call: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await call(r);
  } finally {
    r.disconnect();
  }
}

/**
 * Resolves once `count` replicas acknowledge writes to the master at `port` (WAIT): a replica counts only
 * from its first acknowledgement, up to a second after it reports its link up.
 */
async function replicasAcknowledge(port: number, count: number): Promise<void> {
  const acknowledged = (r: Redis): Promise<boolean> => r.set('cairn-test-probe', '1').then(async () => (await r.wait(count, 100)) >= count);
  await until(() => ask(port, acknowledged), 10_000, `${count} replicas to acknowledge writes on ${port}`);
}

/**
 * A master and `replicas` replicas of it, resolved once every replica acknowledges writes, with their ports
 * (the master's first).
 */
async function startMasterAndReplicas(replicas: number, dir: string, children: ChildProcess[]): Promise<number[]> {
  const dataPorts: number[] = [];
  for (let i = 0; i <= replicas; i++) dataPorts.push(await freePort());
  const [master, ...others] = dataPorts as [number, ...number[]];
  // A replica (re)joining syncs at once instead of waiting 5 s for others to share the transfer.
  const quickSync = ['--repl-diskless-sync-delay', '0'];
  children.push(await startRedis(master, dir, quickSync));
  for (const replica of others) children.push(await startRedis(replica, dir, [...quickSync, '--replicaof', '127.0.0.1', String(master)]));
  await replicasAcknowledge(master, replicas);
  return dataPorts;
}

/** A master and `replicas` replicas of it, no Sentinel: `redis://` to the master. */
export function startReplicated(replicas: number): Promise<Deployment & { dataPorts: number[] }> {
  return inFolder('replicated', async (dir, children) => {
    const dataPorts = await startMasterAndReplicas(replicas, dir, children);
    return { url: `redis://127.0.0.1:${dataPorts[0]}`, dataPorts };
  });
}

/** Three masters, no replicas, every slot covered: `redis+cluster://` with all three as seeds. */
export function startCluster(): Promise<Deployment & { ports: number[] }> {
  return inFolder('cluster', async (dir, children) => {
    const ports = [await freePort(), await freePort(), await freePort()];
    for (const port of ports) {
      const bus = await freePort();
      const cluster = ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-port', String(bus)];
      children.push(await startRedis(port, dir, [...cluster, '--cluster-node-timeout', '2000']));
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 20_000,
    });
    for (const port of ports) {
      await until(
        async () => (await ask(port, (r) => r.cluster('INFO'))).includes('cluster_state:ok'),
        10_000,
        `cluster_state:ok on ${port}`,
      );
    }
    return { url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, ports };
  });
}

/**
 * A master, `replicas` replicas and three Sentinels (quorum 2) watching them as `mymaster`, with a short
 * down-after so that a failover is quick. Resolves once every Sentinel knows the replicas and the others.
 */
export function startSentinels(replicas = 1): Promise<SentinelDeployment> {
  return inFolder('sentinel', async (dir, children) => {
    const masterName = 'mymaster';
    const dataPorts = await startMasterAndReplicas(replicas, dir, children);
    const master = dataPorts[0]!;
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    for (const port of sentinelPorts) {
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${master} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          '',
        ].join('\n'),
      );
      children.push(await startProcess([conf, '--sentinel'], '+monitor'));
    }
    for (const port of sentinelPorts) {
      await until(
        async () =>
          ask(port, async (r) => {
            const known = (await r.call('SENTINEL', 'REPLICAS', masterName)) as unknown[];
            const others = (await r.call('SENTINEL', 'SENTINELS', masterName)) as unknown[];
            return known.length === replicas && others.length === 2;
          }),
        15_000,
        `Sentinel ${port} to know the replicas and the other Sentinels`,
      );
    }
    const url = `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${masterName}`;
    return { url, masterName, sentinelPorts, dataPorts };
  });
}
