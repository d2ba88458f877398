// The server's node flags live in package.json's start script; the image and the benchmarks must run
// the server with the same ones (the young generation cap keeps 100,000 instances under 300 MB).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoRoot, startNodeFlags } from '../../bench/lib/node-flags.ts';

describe('node flags of the server', () => {
  it('caps V8 young generation in npm start', () => {
    expect(startNodeFlags()).toEqual(['--max-semi-space-size=8']);
  });

  it('gives the Docker image the same flags as npm start', () => {
    const entry = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(`${repoRoot}/Dockerfile`, 'utf8'));
    expect(entry).not.toBeNull();
    expect(JSON.parse(entry![1]!)).toEqual(['node', ...startNodeFlags(), 'src/main.ts']);
  });
});
