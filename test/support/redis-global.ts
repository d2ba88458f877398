// Vitest global setup: starts a real redis-server on a free loopback port for the whole run (never the
// user's 6379), unless REDIS_URL names one, and a three-master Cluster for the tests that run on one too.
// CAIRN_TEST_REDIS=cluster or sentinel runs every Redis test on that deployment instead (npm run
// test:cluster, test:sentinel). Tests read the URLs with inject('redisUrl') and inject('redisClusterUrl').
import type { TestProject } from 'vitest/node';
import { startCluster, startSentinels, startStandalone, type Deployment } from './redis-deployments.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** A three-master Cluster (the same as redisUrl under CAIRN_TEST_REDIS=cluster). */
    redisClusterUrl: string;
  }
}

/** The shared standalone Redis of the run, or the deployment CAIRN_TEST_REDIS names. */
async function mainRedis(cluster: Promise<Deployment>): Promise<Deployment> {
  const kind = process.env.CAIRN_TEST_REDIS ?? 'standalone';
  if (kind === 'cluster') return { url: (await cluster).url, stop: async () => undefined };
  if (kind === 'sentinel') return startSentinels();
  if (kind !== 'standalone') throw new Error(`CAIRN_TEST_REDIS must be standalone, cluster or sentinel, not ${kind}`);
  return startStandalone();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const starting = startCluster();
  const main = process.env.REDIS_URL ? { url: process.env.REDIS_URL, stop: async () => undefined } : await mainRedis(starting);
  const cluster = await starting;
  project.provide('redisUrl', main.url);
  project.provide('redisClusterUrl', cluster.url);
  return async () => {
    await main.stop();
    await cluster.stop();
  };
}
