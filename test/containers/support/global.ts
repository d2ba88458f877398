// Global setup of the container tests: builds the image once from the Dockerfile under a tag of this run,
// and at the end removes everything the run started (containers, networks, volumes carrying the run's label,
// compose projects named after the run) and the image it tagged, whether the tests passed or not.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { docker, sweep } from '../../../bench/lib/docker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's id: every container and network of the run carries the label cairn-test.run=<id>. */
    runId: string;
    /** The image built from the Dockerfile for this run. */
    image: string;
  }
}

export const repoRoot = new URL('../../..', import.meta.url).pathname;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const info = await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
  if (info.code !== 0) throw new Error(`the container tests need a Docker engine (docker info failed: ${info.stderr.trim()})`);
  const runId = randomBytes(4).toString('hex');
  const image = `cairn-test:${runId}`;
  const teardown = async () => {
    await sweep(`com.docker.compose.project=cairntest${runId}`);
    await sweep(`cairn-test.run=${runId}`, [image]);
  };
  const started = Date.now();
  // The classic builder where BuildKit's buildx plugin is missing (Debian's docker.io); host networking so that
  // npm ci inside reaches the registry exactly as the host does.
  const env = { ...process.env, DOCKER_BUILDKIT: process.env.DOCKER_BUILDKIT ?? ((await hasBuildx()) ? '1' : '0') };
  const build = await docker(['build', '--network', 'host', '--label', `cairn-test.run=${runId}`, '-t', image, '.'], {
    cwd: repoRoot,
    env,
    timeoutMs: 900_000,
  });
  if (build.code !== 0) {
    const log = join(tmpdir(), `cairn-test-build-${runId}.log`);
    writeFileSync(log, `${build.stdout}\n${build.stderr}`);
    await teardown();
    throw new Error(`docker build failed (log: ${log}): ${build.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
  process.stderr.write(`[containers] built ${image} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  project.provide('runId', runId);
  project.provide('image', image);
  return teardown;
}

async function hasBuildx(): Promise<boolean> {
  return (await docker(['buildx', 'version'], { timeoutMs: 10_000 })).code === 0;
}
