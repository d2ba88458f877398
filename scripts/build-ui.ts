// Builds the web console (ui/) into dist/ui/: one minified script and one stylesheet with content hashes in
// their names, and index.html naming them. `npm ci` runs it (prepare); `npm run build:ui` after a change.
// Where esbuild or the sources are absent (a production-only install), it says so and builds nothing.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uiOut = join(root, 'dist', 'ui');

export async function buildUi(): Promise<void> {
  const entry = join(root, 'ui', 'src', 'main.ts');
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write('cairn: the console was not built (esbuild is a dev dependency; run npm ci without --omit=dev)\n');
    return;
  }
  if (!existsSync(entry)) {
    process.stderr.write(`cairn: the console was not built (no ${entry})\n`);
    return;
  }
  rmSync(uiOut, { recursive: true, force: true });
  mkdirSync(uiOut, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { app: entry, style: join(root, 'ui', 'style.css') },
    outdir: uiOut,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const named = (ext: string): string => basename(outputs.find(([file, o]) => o.entryPoint !== undefined && file.endsWith(ext))![0]);
  const page = readFileSync(join(root, 'ui', 'index.html'), 'utf8')
    .replace('{{script}}', named('.js'))
    .replace('{{style}}', named('.css'));
  writeFileSync(join(uiOut, 'index.html'), page);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildUi();
