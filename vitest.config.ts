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
    // Most tests wait on sockets, processes and Redis rather than the CPU: four files at a time keep two
    // cores busy (vitest's default, one per core but one, runs them nearly one by one here).
    maxWorkers: 4,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
