import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests (npm run test:browser) and the container tests (npm run test:containers, they need
    // Docker) have their own configs.
    exclude: [...configDefaults.exclude, 'test/browser/**', 'test/containers/**'],
    globalSetup: ['test/support/redis-global.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most tests wait on sockets, processes and Redis rather than the CPU: six files at a time keep two
    // cores busy (vitest's default, one per core but one, runs them nearly one by one here).
    maxWorkers: 6,
    // A worker runs file after file instead of a new process per file: a third of the run went into
    // starting workers and importing the same modules again. Tests hold no state in modules and put back
    // the process handlers they add, so files do not see each other.
    isolate: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
