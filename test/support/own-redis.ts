// A redis-server of a test's own, on a free port, that the test may freeze (SIGSTOP), thaw and kill
// without disturbing the shared one other test files use.
import { startStandalone } from './redis-deployments.ts';

export interface OwnRedis {
  url: string;
  /** Stops the process where it is (SIGSTOP): connections stay open and nothing is answered. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

export async function ownRedis(): Promise<OwnRedis> {
  const redis = await startStandalone();
  return {
    url: redis.url,
    freeze: () => {
      redis.child.kill('SIGSTOP');
    },
    thaw: () => {
      redis.child.kill('SIGCONT');
    },
    stop: async () => {
      // SIGKILL: a frozen server would hold SIGTERM until it is thawed.
      redis.child.kill('SIGKILL');
      await redis.stop();
    },
  };
}
