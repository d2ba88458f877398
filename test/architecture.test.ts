// The dependency rules of docs/architecture.md (.dependency-cruiser.cjs): src/ keeps them, and each rule
// catches the mistake it is there for, shown on a small tree of the same shape with one wrong import.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type IConfiguration, type ICruiseOptions, type ICruiseResult } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as Required<Pick<IConfiguration, 'forbidden'>> & {
  options: ICruiseOptions;
};

/** The rules broken in the tree at `baseDir`, as "rule: from → to". */
async function violations(baseDir: string): Promise<string[]> {
  const previous = process.cwd();
  process.chdir(baseDir); // the rules' paths are relative to the tree cruised
  try {
    const { output } = await cruise(
      ['src', 'ui'],
      { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true },
      { extensions: ['.ts', '.js', '.json'] },
    );
    const result = output as ICruiseResult;
    return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  } finally {
    process.chdir(previous);
  }
}

describe('src/', () => {
  it('keeps every dependency rule', async () => {
    expect(await violations(repo)).toEqual([]);
  });
});

/** A tree of the same shape: one module per folder, imported the right way. */
const shape: Record<string, string> = {
  'src/model/records.ts': 'export const r = 1;',
  'src/config.ts': "import { r } from './model/records.ts'; export const c = r;",
  'src/store/index.ts': "import { r } from '../model/records.ts'; export const s = r;",
  'src/catalog/catalog.ts': "import { r } from '../model/records.ts'; export const k = r;",
  'src/catalog/follow.ts': "import { k } from './catalog.ts'; export const f = k;",
  'src/catalog/index.ts': "export { k } from './catalog.ts'; export { f } from './follow.ts';",
  'src/registry/index.ts': "import { k } from '../catalog/index.ts'; import { s } from '../store/index.ts'; export const g = k + s;",
  'src/dns/wire/index.ts': 'export const w = 1;',
  'src/dns/index/index.ts': "import { w } from '../wire/index.ts'; import { k } from '../../catalog/index.ts'; export const x = w + k;",
  'src/dns/serve/index.ts': "import { x } from '../index/index.ts'; export const v = x;",
  'src/dns/index.ts': "export { v } from './serve/index.ts';",
  'src/api/index.ts': "import { g } from '../registry/index.ts'; export const a = g;",
  'src/health/index.ts': "import { g } from '../registry/index.ts'; export const h = g;",
  'src/server.ts':
    "import { a } from './api/index.ts'; import { v } from './dns/index.ts'; import { h } from './health/index.ts'; export const srv = a + v + h;",
  'src/main.ts': "import { srv } from './server.ts'; export const m = srv;",
  'ui/src/main.ts': 'export const u = 1;',
};

const trees: string[] = [];
afterAll(() => {
  for (const t of trees) rmSync(t, { recursive: true, force: true });
});

function tree(extra: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-deps-'));
  trees.push(dir);
  for (const [file, text] of Object.entries({ ...shape, ...extra })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), `${text}\n`);
  }
  cpSync(join(repo, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  cpSync(join(repo, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

describe('the dependency rules', () => {
  it('find nothing wrong in a tree of the right shape', async () => {
    expect(await violations(tree({}))).toEqual([]);
  });

  it.each([
    [
      'DNS reads the store',
      'src/dns/index/index.ts',
      "import { s } from '../../store/index.ts'; export const x = s;",
      'dns/-imports-store',
    ],
    ['the API imports DNS', 'src/api/index.ts', "import { v } from '../dns/index.ts'; export const a = v;", 'api/-imports-dns'],
    [
      'the model imports the config',
      'src/model/records.ts',
      "import { c } from '../config.ts'; export const r = c;",
      'model/-imports-config',
    ],
    [
      'the catalog imports the store',
      'src/catalog/catalog.ts',
      "import { s } from '../store/index.ts'; export const k = s;",
      'catalog/-imports-store',
    ],
    [
      "the registry reaches past the catalog's index",
      'src/registry/index.ts',
      "import { f } from '../catalog/follow.ts'; export const g = f;",
      'only-index-from-outside',
    ],
    [
      'server.ts reaches past an index',
      'src/server.ts',
      "import { w } from './dns/wire/index.ts'; export const srv = w;",
      'only-index-from-top',
    ],
    [
      "DNS serving reaches past the index half's index",
      'src/dns/serve/index.ts',
      "import { w } from '../wire/names.ts'; export const v = w;",
      'dns-halves-through-index',
    ],
    [
      'server code imports the console',
      'src/api/index.ts',
      "import { u } from '../../ui/src/main.ts'; export const a = u;",
      'src-imports-ui',
    ],
    [
      'the console imports server code',
      'ui/src/main.ts',
      "import { c } from '../../src/config.ts'; export const u = c;",
      'ui-imports-server',
    ],
    [
      'building DNS bytes depends on serving',
      'src/dns/index/index.ts',
      "import { v } from '../serve/index.ts'; export const x = v;",
      'dns/index/-imports-dns/serve/',
    ],
    [
      'two modules import each other',
      'src/catalog/catalog.ts',
      "import { f } from './follow.ts'; export const k = 1; export const again = f;",
      'no-circular',
    ],
    [
      'src imports a dev dependency',
      'src/model/records.ts',
      "import packet from 'dns-packet'; export const r = packet;",
      'no-dev-dependencies-in-src',
    ],
  ])('catch %s', async (_what, file, text, rule) => {
    const extra: Record<string, string> = { [file]: text };
    if (file === 'src/dns/serve/index.ts') extra['src/dns/wire/names.ts'] = 'export const w = 1;';
    const found = await violations(tree(extra));
    expect(
      found.some((v) => v.startsWith(rule)),
      found.join('\n'),
    ).toBe(true);
  });
});
