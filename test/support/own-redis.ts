// A redis-server of a test's own, on a free port, that the test may freeze (SIGSTOP), thaw and kill
// without disturbing the shared one other test files use.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedis } from './redis-global.ts';

export interface OwnRedis {
  url: string;
  /** Stops the process where it is (SIGSTOP): connections stay open and nothing is answered. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

export async function ownRedis(): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-own-redis-'));
  const port = await freePort();
  const child: ChildProcess = await startRedis(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze: () => {
      child.kill('SIGSTOP');
    },
    thaw: () => {
      child.kill('SIGCONT');
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
