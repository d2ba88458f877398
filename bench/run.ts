// Runs every benchmark in sequence (`npm run bench`) and prints all their tables at the end, with the
// machine they ran on. A benchmark that fails is reported and the others still run.
//   npm run bench -- [--only dns,discover,propagation,scale] [--quick] [--seconds 10] [--dns-sizes 1k,100k]
//                    [--scale 100x1000] [--load-budget 10 (min per API load)] [--profile] [--out results.md]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchDiscover, defaultDiscoverOptions } from './discover.ts';
import { benchDns, defaultDnsOptions } from './dns.ts';
import { cpuPlan, stopAll } from './lib/proc.ts';
import { machine, renderTable, type Table } from './lib/table.ts';
import { requireTools } from './lib/tools.ts';
import { benchPropagation, defaultPropagationOptions } from './propagation.ts';
import { benchScale, defaultScaleOptions } from './scale.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean' },
    out: { type: 'string' },
    profile: { type: 'boolean' },
    seconds: { type: 'string' },
    'dns-sizes': { type: 'string' },
    'load-budget': { type: 'string' },
    scale: { type: 'string' },
  },
});
const quick = values.quick ?? false;
const loadBudgetMin = values['load-budget'] ? Number(values['load-budget']) : 10;
const scaleShape = /^(\d+)x(\d+)$/.exec(
  values.scale ?? (quick ? '10x1000' : `${defaultScaleOptions.services}x${defaultScaleOptions.perService}`),
);
if (!scaleShape) throw new Error('--scale takes SERVICESxINSTANCES, e.g. 100x1000');
const dnsSizes = values['dns-sizes']?.split(',').map((s) => s.trim()) ?? (quick ? ['1k'] : defaultDnsOptions.sizes);
const seconds = values.seconds ? Number(values.seconds) : quick ? 3 : 10;
const all = ['dns', 'discover', 'propagation', 'scale'] as const;
const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...all];
for (const o of only) if (!(all as readonly string[]).includes(o)) throw new Error(`unknown benchmark ${o}; known: ${all.join(', ')}`);

const benches: Record<(typeof all)[number], () => Promise<Table[]>> = {
  dns: () => benchDns({ ...defaultDnsOptions, seconds, profile: values.profile ?? false, sizes: dnsSizes, loadBudgetMin }),
  discover: () => benchDiscover({ ...defaultDiscoverOptions, seconds }),
  propagation: () => benchPropagation(quick ? { registrations: 200, flips: 40 } : defaultPropagationOptions),
  scale: () =>
    benchScale({ ...defaultScaleOptions, seconds, loadBudgetMin, services: Number(scaleShape[1]), perService: Number(scaleShape[2]) }),
};

// Fail at once, before anything is loaded, when a tool is missing.
requireTools(['dnsperf', 'knotd', 'redis-server']);
const started = Date.now();
const output: string[] = [];
try {
  for (const name of only) {
    process.stderr.write(`\n== bench/${name}\n`);
    const t = Date.now();
    try {
      for (const table of await benches[name as keyof typeof benches]()) {
        const text = renderTable(table);
        output.push(text);
        process.stderr.write(`\n${text}`);
      }
    } catch (e) {
      const text = `### bench/${name} failed\n\n${(e as Error).stack ?? String(e)}\n`;
      output.push(text);
      process.stderr.write(`\n${text}`);
      process.exitCode = 1;
    }
    process.stderr.write(`(bench/${name}: ${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
  }
} finally {
  await stopAll();
}
const pinned = cpuPlan().server !== undefined;
const header = [
  `## cairn benchmarks — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${await machine()}. ${pinned ? 'Servers on the last CPU, load generators on CPU 0 (taskset).' : 'No CPU pinning.'}`,
  `Command: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''} (${((Date.now() - started) / 60000).toFixed(1)} min)`,
  '',
].join('\n');
const report = `${header}\n${output.join('\n')}`;
process.stdout.write(`\n${report}`);
if (values.out) writeFileSync(values.out, report);
