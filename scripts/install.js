// npm ci's install step, in plain JavaScript because the Node running npm may be older than cairn's: builds
// the native UDP addon with its output kept in build/node-gyp.log, and says in one line what matters: the
// addon was not built, or npm runs on an older Node than the one cairn runs on.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const say = (line) => process.stderr.write(`${line}\n`);

const NEEDED = 24;

const npmNode = /\bnode\/(v(\d+)[.\d]*)/.exec(process.env.npm_config_user_agent ?? '');
if (npmNode && Number(npmNode[2]) < NEEDED) {
  // npm scripts and npx put node_modules/.bin first on PATH, where the `node` dev dependency is.
  say(
    existsSync('node_modules/.bin/node')
      ? `cairn: npm runs on Node ${npmNode[1]}; cairn runs on the Node ${NEEDED} that npm ci installed in node_modules/.bin (npm start, npm test, npx node ...)`
      : `cairn: cairn needs Node ${NEEDED} and this npm runs on Node ${npmNode[1]}; install with dev dependencies (the node package brings Node ${NEEDED}) or use Node ${NEEDED}`,
  );
}

const gyp = spawnSync('node-gyp rebuild', { shell: true, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (gyp.status !== 0) {
  mkdirSync('build', { recursive: true });
  writeFileSync('build/node-gyp.log', `${gyp.stdout ?? ''}${gyp.stderr ?? ''}${gyp.error ? String(gyp.error) : ''}`);
  say(
    'cairn: the native UDP addon was not built (it needs python3, make and g++; build/node-gyp.log says why); DNS falls back to node:dgram',
  );
}
