// The summary of a long fuzz run: what was sent, what came back, whether the server stayed alive and
// flat in memory, and every distinct failure with its reproducer.
import { int, renderTable } from '../lib/table.ts';
import { failed, type Report } from './session.ts';

const mib = (b: number | undefined): string => (b === undefined ? '—' : `${(b / 2 ** 20).toFixed(1)} MB`);
const top = (m: Map<string, number>, n: number): string =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${k} ×${int(v)}`)
    .join(', ') + (m.size > n ? `, … (${m.size - n} more)` : '');

function operationsTable(r: Report): string {
  const rows = [...r.stats.requests]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([op, n]) => {
      const answers = r.stats.answersByOp.get(op) ?? new Map<string, number>();
      const ok = [...answers].filter(([k]) => k.startsWith('2')).reduce((a, [, v]) => a + v, 0);
      const errors = new Map([...answers].filter(([k]) => !k.startsWith('2')).map(([k, v]) => [k.replace(/^4\d\d /, ''), v]));
      return [op, int(n), int(ok), top(errors, 3)];
    });
  return renderTable({
    title: `${r.subject.name}: API requests answered per operation`,
    columns: ['operation', 'requests', '2xx', 'most frequent 4xx'],
    rows,
  });
}

function memoryLine(r: Report, limitMb: number): string {
  const { baseline, end, peak, forcedGc, note } = r.rss;
  if (baseline === undefined || end === undefined)
    return `RSS: not measured${r.subject.pid === undefined ? ' (no pid: give --pid for a server this run did not start)' : ''}`;
  const growth = (end - baseline) / 2 ** 20;
  return `RSS${forcedGc ? ' after a forced GC' : ''}: ${mib(baseline)} after warm-up, ${mib(end)} at the end (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB, limit ${limitMb} MB), peak ${mib(peak)}${note ? ` (${note})` : ''}`;
}

export function renderReport(r: Report, limitMb: number): string {
  const total = [...r.stats.requests.values()].reduce((a, b) => a + b, 0);
  const out = [
    `== ${r.subject.name}: ${r.seconds.toFixed(0)} s, ${int(total)} API requests answered, ${int(r.stats.dnsSent)} DNS messages sent ==`,
    '',
    operationsTable(r),
    `Answers: ${top(r.stats.answers, 14)}`,
    `DNS rcodes of replies to fuzz messages: ${top(r.stats.rcodes, 14)}`,
    `Liveness (known DNS query + ListNamespaces every 2 s): ${r.liveness.checks} checks, slowest ${r.liveness.slowestMs.toFixed(0)} ms, ${r.liveness.failures.length} failures${r.liveness.failures.length ? `: ${r.liveness.failures.slice(0, 5).join('; ')}` : ''}`,
    memoryLine(r, limitMb),
    `Cleanup: ${int(r.cleanupCalls)} API calls to delete what the fuzzer created`,
  ];
  if (r.crashed) out.push(`CRASHED: the server ${r.crashed}`);
  if (r.errorLog.size > 0) out.push(`Server error log: ${top(r.errorLog, 10)}`);
  const findings = r.findings.all.sort((a, b) => b.hits - a.hits);
  out.push('', `Findings: ${findings.length}`);
  findings.forEach((f, i) => {
    out.push(
      `${i + 1}. ${f.signature} — ${int(f.hits)} hit(s), first after ${f.atSecond.toFixed(0)} s (property ${f.property}, seed ${f.seed ?? '—'}, path ${f.path ?? '—'})`,
    );
    for (const line of f.detail.split('\n').slice(0, 4)) out.push(`     ${line.slice(0, 700)}`);
  });
  out.push('', `Result: ${failed(r, limitMb) ? 'FAILED' : 'OK'}`, '');
  return out.join('\n');
}
