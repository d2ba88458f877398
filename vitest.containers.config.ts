// The container suite (`npm run test:containers`): needs a Docker engine; builds the image once, runs the
// files one at a time (they share the engine and measure latencies), and cleans up after itself.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/containers/**/*.test.ts'],
    globalSetup: ['test/containers/support/global.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
