// The shape of src/dns/: two halves (index/: catalog → prepared bytes, serve/: query bytes → answer
// bytes) around the shared wire/ helpers, each reached through its index.ts, one way, with no cycles;
// and dns/ reads the catalog's public surface and the model, never the store or the registry.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const src = path.resolve(import.meta.dirname, '../../src');
const dns = path.join(src, 'dns');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

/** Every relative module a file imports (type-only imports included: they make cycles too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+\.ts)'/g)].map((m) => m[1]!);
  return specs.map((s) => path.resolve(path.dirname(file), s));
}

/** 'wire' | 'index' | 'serve' for a file inside one of the halves, 'top' for dns/index.ts. */
function partOf(file: string): string {
  const rel = path.relative(dns, file);
  return rel.includes(path.sep) ? rel.split(path.sep)[0]! : 'top';
}

/** Which parts each part may import (through their index.ts). */
const MAY_IMPORT: Record<string, string[]> = { top: ['index', 'serve', 'wire'], serve: ['index', 'wire'], index: ['wire'], wire: [] };

describe('src/dns layout', () => {
  const files = filesUnder(dns);

  it('has the three parts, each with an index.ts', () => {
    for (const part of ['wire', 'index', 'serve']) expect(files).toContain(path.join(dns, part, 'index.ts'));
  });

  it('imports across parts only one way, and only through the imported part\'s index.ts', () => {
    const wrong: string[] = [];
    for (const f of files) {
      for (const target of importsOf(f)) {
        if (!target.startsWith(dns + path.sep)) continue;
        const from = partOf(f);
        const to = partOf(target);
        if (from === to) continue;
        if (!MAY_IMPORT[from]!.includes(to) || path.basename(target) !== 'index.ts') wrong.push(`${path.relative(src, f)} → ${path.relative(src, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('reads only the catalog\'s index.ts, the model and config.ts from outside dns/', () => {
    const allowed = (t: string): boolean => t === path.join(src, 'catalog/index.ts') || t === path.join(src, 'config.ts') || t.startsWith(path.join(src, 'model') + path.sep);
    const wrong = files.flatMap((f) => importsOf(f).filter((t) => !t.startsWith(dns + path.sep) && !allowed(t)).map((t) => `${path.relative(src, f)} → ${path.relative(src, t)}`));
    expect(wrong).toEqual([]);
  });

  it('has no import cycle', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.startsWith(dns + path.sep))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, trail: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') { cycles.push([...trail.slice(trail.indexOf(f)), f].map((x) => path.relative(dns, x)).join(' → ')); return; }
      state.set(f, 'open');
      for (const t of graph.get(f) ?? []) visit(t, [...trail, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('uses no package but node built-ins and production dependencies (dns2 is the benchmark\'s only)', () => {
    const dependencies = Object.keys((JSON.parse(readFileSync(path.join(src, '../package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    const packages = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^.'][^']*)'/g)].map((m) => m[1]!));
    const foreign = packages.filter((p) => !p.startsWith('node:') && !dependencies.includes(p));
    expect(packages).toContain('ipaddr.js');
    expect(foreign).toEqual([]);
  });

  it('is reached from the rest of src/ only through dns/index.ts', () => {
    const wrong = filesUnder(src).filter((f) => !f.startsWith(dns + path.sep))
      .flatMap((f) => importsOf(f).filter((t) => t.startsWith(dns + path.sep) && t !== path.join(dns, 'index.ts')).map((t) => `${path.relative(src, f)} → ${path.relative(src, t)}`));
    expect(wrong).toEqual([]);
  });
});
