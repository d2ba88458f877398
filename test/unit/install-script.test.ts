// npm ci's install step says in one line what matters and keeps node-gyp's output in a log: run here in
// a folder of its own with a stand-in node-gyp on PATH (one that succeeds or fails, noisily).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = new URL('../../scripts/install.js', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function install(o: { gypExit: number; npmNode: string; nodeInstalled: boolean }): { lines: string[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-install-'));
  dirs.push(dir);
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'node-gyp'),
    `#!/bin/sh\necho 'gyp info it worked if it ends with ok'\necho 'make: Entering directory' >&2\nexit ${o.gypExit}\n`,
  );
  chmodSync(join(bin, 'node-gyp'), 0o755);
  if (o.nodeInstalled) {
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/.bin/node'), '');
  }
  const r = spawnSync(process.execPath, [script], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, npm_config_user_agent: `npm/11.19.1 node/${o.npmNode} linux x64 workspaces/false` },
  });
  expect(r.status).toBe(0);
  return { lines: `${r.stdout}${r.stderr}`.split('\n').filter((l) => l !== ''), dir };
}

describe('the install script', () => {
  it('prints nothing when the addon builds and npm runs on Node 24', () => {
    expect(install({ gypExit: 0, npmNode: 'v24.21.0', nodeInstalled: true }).lines).toEqual([]);
  });

  it('says in one line that npm runs on an older Node than cairn, which npm ci installed', () => {
    expect(install({ gypExit: 0, npmNode: 'v20.20.2', nodeInstalled: true }).lines).toEqual([
      'cairn: npm runs on Node v20.20.2; cairn runs on the Node 24 that npm ci installed in node_modules/.bin (npm start, npm test, npx node ...)',
    ]);
  });

  it('says so when Node 24 was not installed with it (--omit=dev on an older Node)', () => {
    expect(install({ gypExit: 0, npmNode: 'v20.20.2', nodeInstalled: false }).lines).toEqual([
      'cairn: cairn needs Node 24 and this npm runs on Node v20.20.2; install with dev dependencies (the node package brings Node 24) or use Node 24',
    ]);
  });

  it("keeps node-gyp's output in build/node-gyp.log and prints one line when the addon is not built", () => {
    const { lines, dir } = install({ gypExit: 1, npmNode: 'v24.21.0', nodeInstalled: true });
    expect(lines).toEqual([
      'cairn: the native UDP addon was not built (it needs python3, make and g++; build/node-gyp.log says why); DNS falls back to node:dgram',
    ]);
    expect(readFileSync(join(dir, 'build/node-gyp.log'), 'utf8')).toContain('make: Entering directory');
  });
});
