// Result tables, printed as aligned Markdown (readable in a terminal, pasteable into the README).
export type Cell = string | number | undefined;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  notes?: string[];
}

export function renderTable(t: Table): string {
  const cells = t.rows.map((r) => t.columns.map((_, i) => text(r[i])));
  const widths = t.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const numeric = t.columns.map((_, i) => cells.every((r) => /^[-\d.,× %<>≥]*$/.test(r[i]!)));
  const line = (vals: string[]): string =>
    `| ${vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  const out = [`### ${t.title}`, '', line(t.columns), sep, ...cells.map(line)];
  if (t.notes?.length) out.push('', ...t.notes);
  return out.join('\n') + '\n';
}

const text = (v: Cell): string => (v === undefined ? '—' : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '—') : v);

export const int = (n: number | undefined): string =>
  n === undefined || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US');
export const ms = (n: number | undefined, digits = 2): string => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));
export const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !(b > 0) ? '—' : (a / b).toFixed(2);
export const mb = (bytes: number | undefined): string =>
  bytes === undefined || !Number.isFinite(bytes) ? '—' : (bytes / 1024 / 1024).toFixed(0);
export const secs = (msValue: number | undefined): string =>
  msValue === undefined || !Number.isFinite(msValue) ? '—' : (msValue / 1000).toFixed(1);

/** A machine line for the README: CPU model, cores, memory, kernel, Node. */
export async function machine(): Promise<string> {
  const os = await import('node:os');
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${os.release()}, Node.js ${process.version}`;
}
