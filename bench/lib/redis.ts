// A throwaway redis-server on a free loopback port, without persistence; optionally with a password
// (requirepass), which the URL then carries.
import { freePort } from './ports.ts';
import { scratchDir, start, waitFor, type Proc } from './proc.ts';
import { tool } from './tools.ts';

export interface Redis {
  url: string;
  proc: Proc;
  stop(): Promise<void>;
}

export async function startRedis(cpu?: number, options: { password?: string } = {}): Promise<Redis> {
  const port = await freePort();
  const auth = options.password === undefined ? [] : ['--requirepass', options.password];
  const proc = start(
    'redis',
    tool('redis-server'),
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', scratchDir(), ...auth],
    { cpu },
  );
  await waitFor(
    'redis-server to accept connections',
    async () => (proc.log().includes('Ready to accept connections') ? true : undefined),
    10_000,
    proc,
  );
  const userinfo = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  return { url: `redis://${userinfo}127.0.0.1:${port}`, proc, stop: () => proc.stop() };
}
