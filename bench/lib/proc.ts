// Child processes of a benchmark: each runs in its own process group (so whatever it forks goes with it),
// optionally pinned to a CPU, its output kept in a log file; every group still alive is killed when the
// benchmark exits, however it exits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** The log so far (stdout and stderr interleaved). */
  log(): string;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** CPU to pin the process to (taskset -c), when taskset exists. */
  cpu?: number | undefined;
  /** Run under a real-time policy (chrt -f 50) when allowed: a latency probe must not wait for the CPU. */
  realtime?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with each chunk of stdout as it arrives (e.g. to parse a load generator's output). */
  onStdout?: (chunk: Buffer) => void;
  /** Send stdout straight to this file instead of through this process (verbose load generators: the
   * benchmark process must not spend CPU reading it during the run). */
  stdoutFile?: string;
}

const live = new Set<Proc>();
let scratch: string | undefined;

/** A temporary directory for this benchmark run, removed at exit. */
export function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  return scratch;
}

let tasksetChecked: boolean | undefined;
export function hasTaskset(): boolean {
  tasksetChecked ??= spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return tasksetChecked;
}

/** CPUs to use: server on the last one, load generator on the first, when there are at least two. */
export function cpuPlan(): { server: number | undefined; load: number | undefined } {
  const res = spawnSync('nproc', [], { encoding: 'utf8' });
  const n = Number(res.stdout?.trim() ?? '1');
  if (!hasTaskset() || !(n >= 2)) return { server: undefined, load: undefined };
  return { server: n - 1, load: 0 };
}

let chrtChecked: boolean | undefined;
export function hasRealtime(): boolean {
  chrtChecked ??= spawnSync('chrt', ['-f', '50', 'true']).status === 0;
  return chrtChecked;
}

let counter = 0;
export function start(name: string, command: string, args: string[], options: StartOptions = {}): Proc {
  let [cmd, argv]: [string, string[]] =
    options.cpu !== undefined && hasTaskset() ? ['taskset', ['-c', String(options.cpu), command, ...args]] : [command, args];
  if (options.realtime && hasRealtime()) [cmd, argv] = ['chrt', ['-f', '50', cmd, ...argv]];
  const logFile = join(scratchDir(), `${name.replace(/[^a-z0-9-]/gi, '_')}-${++counter}.log`);
  const out = createWriteStream(logFile);
  const stdoutFd = options.stdoutFile ? openSync(options.stdoutFile, 'w') : undefined;
  const child = spawn(cmd, argv, {
    detached: true, // own process group: stop() signals -pid
    stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
    env: options.env ?? process.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  child.stdout?.on('data', (d: Buffer) => {
    options.onStdout?.(d);
    out.write(d);
  });
  child.stderr!.on('data', (d: Buffer) => out.write(d));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(proc);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (e) => {
      live.delete(proc);
      out.write(`spawn error: ${e.message}\n`);
      resolve(`error: ${e.message}`);
    });
  });
  const pid = child.pid;
  const proc: Proc = {
    name,
    pid,
    child,
    logFile,
    exited,
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    stop: async (graceMs = 5000) => {
      if (!live.has(proc)) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup(pid, 'SIGKILL'); // anything the leader left behind in its group
      out.end();
    },
  };
  live.add(proc);
  return proc;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** Runs a command to completion and returns its output; throws with the log when it fails. */
export async function run(name: string, command: string, args: string[], options: StartOptions = {}): Promise<string> {
  const chunks: Buffer[] = [];
  const p = start(name, command, args, {
    ...options,
    onStdout: (d) => {
      chunks.push(d);
      options.onStdout?.(d);
    },
  });
  const code = await p.exited;
  const stdout = Buffer.concat(chunks).toString('utf8');
  if (code !== 0) throw new Error(`${name} exited with ${code}:\n${tail(p.log(), 40)}`);
  return stdout;
}

export function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** Stops every process still running (in parallel). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(3000)));
}

function killAllNow(): void {
  for (const p of live) signalGroup(p.pid, 'SIGKILL');
  live.clear();
  if (scratch && !process.env.CAIRN_BENCH_KEEP) rmSync(scratch, { recursive: true, force: true });
}

process.once('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping what it started\n`);
    killAllNow();
    process.exit(130);
  });
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, proc?: Proc): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && !live.has(proc)) throw new Error(`${proc.name} exited while waiting for ${what}:\n${tail(proc.log(), 30)}`);
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${proc ? `:\n${tail(proc.log(), 30)}` : ''}`);
    await sleep(50);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}
