import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The container tests need Docker and have their own config (vitest.containers.config.ts).
    exclude: [...configDefaults.exclude, 'test/containers/**'],
    globalSetup: ['test/support/redis-global.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
