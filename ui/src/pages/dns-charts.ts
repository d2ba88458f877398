// DNS queries per second and answers by rcode, from cairn's /metrics sampled while the console is open.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.ts';
import { LineChart, type Series } from '../components/chart.ts';
import { metricsState, onSample, rates, SAMPLE_MS, WINDOW_MS } from '../metrics/sampler.ts';

const COLOURS: Record<string, string> = {
  NOERROR: '#2e7d32',
  NXDOMAIN: '#f0a020',
  SERVFAIL: '#c62828',
  REFUSED: '#6a1b9a',
  FORMERR: '#00838f',
  NOTIMP: '#5d4037',
};
const OTHER = ['#455a64', '#8d6e63', '#1565c0', '#ad1457'];

export function DnsCharts() {
  const [, setTick] = useState(0);
  useEffect(() => onSample(() => setTick((t) => t + 1)), []);
  const state = metricsState();
  const points = rates();
  const now = Date.now();
  const total: Series[] = [{ name: 'queries', colour: '#1565c0', points: points.map((p) => ({ at: p.at, value: p.total })) }];
  const rcodes = [...new Set(points.flatMap((p) => Object.keys(p.byRcode)))].sort();
  const byRcode: Series[] = rcodes.map((r, i) => ({
    name: r,
    colour: COLOURS[r] ?? OTHER[i % OTHER.length]!,
    points: points.map((p) => ({ at: p.at, value: p.byRcode[r] ?? 0 })),
  }));
  return html`<section class="charts" data-metrics=${state}>
    <h2>DNS</h2>
    ${state === 'absent' && html`<p class="muted">This server does not publish <code>/metrics</code>, so there is no DNS traffic to draw.</p>`}
    ${state === 'failing' && html`<p class="error">Could not read <code>/metrics</code>; trying again every ${SAMPLE_MS / 1000} s.</p>`}
    ${
      (state === 'sampling' || state === 'waiting') &&
      html`<div class="chart-row">
          <${LineChart} title="DNS queries per second" unit="q/s" series=${total} windowMs=${WINDOW_MS} now=${now} />
          <${LineChart} title="Answers by rcode" unit="/s" series=${byRcode} windowMs=${WINDOW_MS} now=${now} />
        </div>
        <p class="muted small">
          Sampled from /metrics every ${SAMPLE_MS / 1000} s while this page is
          open${points.length === 0 ? '; the first rates appear after two samples' : ''}.
        </p>`
    }
  </section>`;
}
