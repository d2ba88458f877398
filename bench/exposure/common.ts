// What every probe of bench/exposure.ts shares: its result row, cairn's JSON log read back, small
// statistics, an SDK client with the settings a probe needs, connections held open slowly, and the
// server's peak memory meanwhile.
import { Agent } from 'node:http';
import net from 'node:net';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { rssBytes } from '../lib/proc.ts';

/** One row of the table: what was sent, what came back now, the numbers, and what was not safe. */
export interface ProbeResult {
  row: string;
  sent: string;
  now: string;
  measured: string;
  /** Empty when the outcome is the safe one; otherwise each way it is not. */
  problems: string[];
}

export interface LogLine {
  level: number;
  msg: string;
  part?: string;
  [k: string]: unknown;
}

/** cairn's JSON log lines (pino), in order; lines that are not JSON are skipped. */
export function logLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      /* a line cut by a concurrent write */
    }
  }
  return out;
}

/** Log lines that carry a stack trace (a pino `stack` member, or a V8 frame line). */
export const stackLines = (text: string): number => text.split('\n').filter((l) => /"stack"|^\s+at /.test(l)).length;

export const WARN = 40;

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const s1 = (msValue: number): string => (Number.isFinite(msValue) ? (msValue / 1000).toFixed(1) : '—');
export const n = (v: number): string => v.toLocaleString('en-US');
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An SDK client against one replica, with the key pair and attempts the probe needs. */
export function client(
  endpoint: string,
  options: { accessKeyId?: string; secretAccessKey?: string; maxAttempts?: number } = {},
): ServiceDiscoveryClient {
  return new ServiceDiscoveryClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: options.accessKeyId ?? 'x', secretAccessKey: options.secretAccessKey ?? 'y' },
    disableHostPrefix: true,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 16 }) },
  });
}

/** The environment of a child cairn: nothing from the caller's CAIRN_* variables leaks in. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_')));
}

/** A connection a probe holds open: when it connected and closed, and what the server sent on it. */
export interface SlowConnection {
  socket: net.Socket;
  connectedAt: number;
  closedAt: number | undefined;
  received: string;
}

/** Connects to 127.0.0.1:port and writes `first`; resolves once connected, or closed before that. */
export function openSlow(port: number, first: string | Buffer): Promise<SlowConnection> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const c: SlowConnection = { socket, connectedAt: NaN, closedAt: undefined, received: '' };
    socket.on('data', (d: Buffer) => {
      c.received += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      c.closedAt = performance.now();
      resolve(c);
    });
    socket.once('connect', () => {
      c.connectedAt = performance.now();
      socket.write(first);
      resolve(c);
    });
  });
}

/** The process's resident memory sampled every `everyMs` from now: the highest seen, until stop(). */
export function rssPeak(pid: number, everyMs: number): { peak: () => number; stop: () => void } {
  let peak = rssBytes(pid);
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      /* exited */
    }
  }, everyMs);
  return { peak: () => peak, stop: () => clearInterval(sampler) };
}
