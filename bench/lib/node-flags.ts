// Where the repository is and the node flags of `npm start`: the benchmarks, the image and the tests run
// the server with the same flags. Imports nothing with side effects, so tests may use it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The node flags of `npm start` (package.json): the benchmarks run the server as users run it. */
export function startNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('src/main.ts'));
}
