// Before the browser tests: build the console from its sources (so a test never runs an old bundle) and
// check that Debian's Chromium is there (.ci/run installs it).
import { existsSync } from 'node:fs';
import { buildUi } from '../../scripts/build-ui.ts';
import { CHROMIUM } from './chromium.ts';

export default async function setup(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  await buildUi();
}
