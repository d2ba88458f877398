// Starts a real cairn replica for a test (ports chosen by the OS) and an AWS SDK v3 client pointed at it.
import { randomBytes } from 'node:crypto';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { pino, type Logger } from 'pino';
import { inject } from 'vitest';
import { loopbackFlags } from '../../bench/lib/ports.ts';
import { loadConfig } from '../../src/config.ts';
import type { Timers } from '../../src/model/timers.ts';
import { startServer, type Server } from '../../src/server.ts';

export type StoreKind = 'memory' | 'redis';

export interface TestServerOptions {
  store?: StoreKind;
  /** Extra command-line flags, e.g. ['--vpc', 'vpc-1=127.0.0.0/8']. */
  flags?: string[];
  /** Redis key prefix; a fresh one per server unless given (replicas of one registry share it). */
  prefix?: string;
  /** The clock of the replica's registry (timestamps, retention, custom health window), instead of the real one. */
  timers?: Timers;
  /** The clock the replica's health checks run on (test/support/clock.ts), instead of the real one. */
  healthTimers?: Timers;
  /** The server's logger (default: silent, or CAIRN_TEST_LOG's level). */
  log?: Logger;
}

export interface TestServer {
  server: Server;
  client: ServiceDiscoveryClient;
  endpoint: string;
  prefix: string;
  stop(): Promise<void>;
}

export const newPrefix = (): string => `t${randomBytes(5).toString('hex')}`;

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const prefix = options.prefix ?? newPrefix();
  const flags = [
    ...loopbackFlags(),
    '--log-level',
    'silent',
    // Stopping drains: connections left open by a test's clients would otherwise hold each stop for the
    // idle grace (up to 250 ms); a test of the drain gives its own.
    '--drain-timeout',
    '20ms',
    ...(options.flags ?? []),
  ];
  if ((options.store ?? 'memory') === 'redis') flags.push('--redis-url', inject('redisUrl'), '--redis-prefix', prefix);
  const config = loadConfig(flags, {});
  const server = await startServer(config, {
    log: options.log ?? pino({ level: process.env.CAIRN_TEST_LOG ?? 'silent' }),
    timers: options.timers,
    healthTimers: options.healthTimers,
  });
  const endpoint = `http://127.0.0.1:${server.apiAddress.port}`;
  const client = sdkClient(endpoint);
  return {
    server,
    client,
    endpoint,
    prefix,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}

export function sdkClient(endpoint: string): ServiceDiscoveryClient {
  return new ServiceDiscoveryClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    disableHostPrefix: true,
    maxAttempts: 1,
  });
}

/** POSTs a raw body to the API, for what the SDK would never send. */
export async function rawCall(
  endpoint: string,
  target: string | undefined,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', ...(target !== undefined ? { 'x-amz-target': target } : {}), ...headers },
    body,
  });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { raw: text };
  }
  return { status: res.status, json, headers: res.headers };
}
