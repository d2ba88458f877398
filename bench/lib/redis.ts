// A throwaway redis-server on a free loopback port, without persistence.
import { freePort } from './ports.ts';
import { scratchDir, start, waitFor, type Proc } from './proc.ts';
import { tool } from './tools.ts';

export interface Redis {
  url: string;
  proc: Proc;
  stop(): Promise<void>;
}

export async function startRedis(cpu?: number): Promise<Redis> {
  const port = await freePort();
  const proc = start('redis', tool('redis-server'), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', scratchDir()], { cpu });
  await waitFor('redis-server to accept connections', async () => proc.log().includes('Ready to accept connections') ? true : undefined, 10_000, proc);
  return { url: `redis://127.0.0.1:${port}`, proc, stop: () => proc.stop() };
}
