// A small line chart in SVG (no chart library): series over the sampled window, a y scale from zero to a
// round maximum, and a legend with each series' latest value.
import { html } from '../html.ts';

export interface Series {
  name: string;
  colour: string;
  points: { at: number; value: number }[];
}

const W = 600;
const H = 150;
const PAD = { left: 44, right: 8, top: 8, bottom: 20 };

function roundUp(v: number): number {
  if (v <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

export function LineChart({
  title,
  unit,
  series,
  windowMs,
  now,
}: {
  title: string;
  unit: string;
  series: Series[];
  windowMs: number;
  now: number;
}) {
  const max = roundUp(Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.value))));
  const x = (at: number): number => PAD.left + ((at - (now - windowMs)) / windowMs) * (W - PAD.left - PAD.right);
  const y = (v: number): number => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const minutes = Math.round(windowMs / 60_000);
  return html`<figure class="chart" data-chart=${title}>
    <figcaption>${title}</figcaption>
    <svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${title}>
      ${[0, 0.5, 1].map(
        (f) =>
          html`<line class="grid" x1=${PAD.left} x2=${W - PAD.right} y1=${y(max * f)} y2=${y(max * f)} />
            <text class="axis" x=${PAD.left - 4} y=${y(max * f) + 4} text-anchor="end">${fmt(max * f)}</text>`,
      )}
      <text class="axis" x=${PAD.left} y=${H - 4}>-${minutes} min</text>
      <text class="axis" x=${W - PAD.right} y=${H - 4} text-anchor="end">now</text>
      ${series.map(
        (s) =>
          s.points.length > 0 &&
          html`<polyline
            fill="none"
            stroke=${s.colour}
            stroke-width="2"
            points=${s.points.map((p) => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ')}
          />`,
      )}
    </svg>
    <ul class="legend">
      ${series.map(
        (s) =>
          html`<li>
            <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill=${s.colour} /></svg
            >${s.name} <b data-latest=${s.name}>${s.points.length > 0 ? fmt(s.points[s.points.length - 1]!.value) : '–'}</b> ${unit}
          </li>`,
      )}
    </ul>
  </figure>`;
}
