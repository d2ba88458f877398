// A health badge: HEALTHY, UNHEALTHY or UNKNOWN (no health check), by colour and by word.
import { html } from '../html.ts';

export function HealthBadge({ status }: { status: string | undefined }) {
  const s = status ?? 'UNKNOWN';
  return html`<span class=${`badge badge-${s.toLowerCase()}`} data-health=${s}>${s.toLowerCase()}</span>`;
}

/** Instances of a service counted by health (one status per instance), as small badges. */
export function HealthCounts({ statuses }: { statuses: string[] }) {
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  const order = ['HEALTHY', 'UNHEALTHY', 'UNKNOWN'];
  const shown = order.filter((s) => (counts[s] ?? 0) > 0);
  if (shown.length === 0) return html`<span class="muted">none</span>`;
  return html`<span class="counts">
    ${shown.map((s) => html`<span class=${`count badge-${s.toLowerCase()}`} title=${s.toLowerCase()}>${counts[s]} ${s.toLowerCase()}</span>`)}
  </span>`;
}
