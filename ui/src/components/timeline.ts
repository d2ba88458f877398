// An instance's health over time: a bar of coloured spans from its first known status to now, and the
// flips as a list. cairn keeps only the current status; the earlier flips are those this replica saw.
import { html } from '../html.ts';
import { ago, clock } from '../format.ts';
import type { HealthPoint } from '../net/console-api.ts';

export function Timeline({ points, now, replica }: { points: HealthPoint[]; now: number; replica: string }) {
  if (points.length === 0) return html`<p class="muted">No health is tracked for this service's instances.</p>`;
  const start = points[0]!.at;
  const span = Math.max(1, now - start);
  const x = (at: number): number => ((at - start) / span) * 100;
  return html`<div class="timeline">
    <svg viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label="health timeline">
      ${points.map((p, i) => {
        const end = i + 1 < points.length ? points[i + 1]!.at : now;
        return html`<rect
          class=${`span-${p.status.toLowerCase()}`}
          x=${x(p.at)}
          width=${Math.max(0.3, x(end) - x(p.at))}
          y="0"
          height="6"
        />`;
      })}
    </svg>
    <ol class="flips">
      ${[...points].reverse().map((p) => html`<li><span class=${`dot span-${p.status.toLowerCase()}`}></span>${p.status.toLowerCase()} since ${clock(p.at)} (${ago(p.at, now)})</li>`)}
    </ol>
    <p class="muted small">
      Flips seen by replica ${replica} since it started, and the current status's start; the store keeps only the current status.
    </p>
  </div>`;
}
