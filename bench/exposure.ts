// Re-runs the attacker's probe that opened the "safe to expose" issue against real cairn processes with
// the settings a user gets, and prints what each probe gets now with the measured numbers, plus what
// held then and must still hold (SigV4, amplification, open resolver, FORMERR). Exits 1 when a probe
// does not get the safe outcome. About a minute; rows that do not disturb each other run concurrently.
//   npx node bench/exposure.ts [--only 1,2,3,4,5,6,7,held] [--out FILE]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { deepJson, inheritedTargets, resignedTarget, type SigV4Matrix } from './exposure/api.ts';
import type { ProbeResult } from './exposure/common.ts';
import { dnsHeld, type Held } from './exposure/dns-held.ts';
import { tricklingDnsTcp } from './exposure/dns-tcp.ts';
import { redisFreeze } from './exposure/outage.ts';
import { slowBodies } from './exposure/slow-http.ts';
import { startWarning } from './exposure/start-warning.ts';
import { stopAll } from './lib/proc.ts';
import { machine, renderTable } from './lib/table.ts';
import { requireTools } from './lib/tools.ts';

const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { only: { type: 'string' }, out: { type: 'string' } } });
const everything = ['1', '2', '3', '4', '5', '6', '7', 'held'];
const only = new Set(values.only ? values.only.split(',').map((s) => s.trim()) : everything);
for (const o of only) if (!everything.includes(o)) throw new Error(`unknown row ${o}; known: ${everything.join(', ')}`);

const say = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

/** Runs one probe; a probe that throws is a row with the failure as its problem. */
async function probe(row: string, run: () => Promise<ProbeResult>): Promise<ProbeResult | undefined> {
  if (!only.has(row)) return undefined;
  const started = Date.now();
  say(`row ${row}: started`);
  try {
    const r = await run();
    say(
      `row ${row}: done in ${((Date.now() - started) / 1000).toFixed(0)} s${r.problems.length ? ` — NOT SAFE: ${r.problems.join('; ')}` : ''}`,
    );
    return r;
  } catch (e) {
    say(`row ${row}: failed: ${(e as Error).stack ?? String(e)}`);
    return { row, sent: '', now: 'the probe failed', measured: '', problems: [`the probe failed: ${(e as Error).message}`] };
  }
}

requireTools(['redis-server']);
const started = Date.now();
const results: ProbeResult[] = [];
let sigv4: SigV4Matrix | undefined;
let held: Held | undefined;
try {
  // Rows 3 and 6 mostly wait (on a request timeout, on a frozen Redis); the short rows run beside them.
  const [r3, r6, short] = await Promise.all([
    probe('3', slowBodies),
    probe('6', redisFreeze),
    (async () => {
      const out = [await probe('1', inheritedTargets), await probe('2', deepJson)];
      out.push(
        await probe('4', async () => {
          const r = await resignedTarget();
          sigv4 = r.matrix;
          return r.row;
        }),
      );
      out.push(await probe('7', startWarning));
      if (only.has('held')) {
        say('held: started');
        held = await dnsHeld().catch((e: Error) => ({ rows: [], problems: [`the DNS checks failed: ${e.message}`] }));
        say('held: done');
      }
      return out;
    })(),
  ]);
  // Row 5 measures the resident memory of its cairn: alone, so nothing else competes for the CPU.
  const r5 = await probe('5', tricklingDnsTcp);
  for (const r of [...short, r3, r5, r6]) if (r) results.push(r);
} finally {
  await stopAll();
}
results.sort((a, b) => a.row.localeCompare(b.row));

const output: string[] = [];
output.push(
  renderTable({
    title: "What an attacker's probe found, and what it gets now",
    columns: ['#', 'what was sent', 'what came back now', 'measured'],
    rows: results.map((r) => [r.row, r.sent, r.now, r.measured]),
  }),
);
const heldRows: [string, string][] = [
  ...(sigv4?.rows.map(([what, got]): [string, string] => [`SigV4 (--credentials): ${what}`, got]) ?? []),
  ...(held?.rows ?? []),
];
if (heldRows.length > 0) output.push(renderTable({ title: 'What held, and still holds', columns: ['check', 'result'], rows: heldRows }));
const problems = [
  ...results.flatMap((r) => r.problems.map((p) => `row ${r.row}: ${p}`)),
  ...(sigv4?.problems ?? []),
  ...(held?.problems ?? []),
];
output.push(
  problems.length === 0 ? 'Every probe got the safe outcome.\n' : `**Not safe:**\n\n${problems.map((p) => `- ${p}`).join('\n')}\n`,
);
output.push(
  `Measured ${new Date().toISOString().slice(0, 10)} on ${await machine()}; \`npx node bench/exposure.ts\` took ${((Date.now() - started) / 1000).toFixed(0)} s.\n`,
);
const text = output.join('\n');
process.stdout.write(`\n${text}`);
if (values.out) writeFileSync(values.out, text);
process.exitCode = problems.length === 0 ? 0 : 1;
