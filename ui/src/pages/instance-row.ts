// One instance in the service's table: id, attributes, health badge, when it last flipped, which replica
// probes it, the actions; a click opens its health timeline.
import { html } from '../html.ts';
import { HealthBadge } from '../components/badge.ts';
import { Timeline } from '../components/timeline.ts';
import { ago, clock } from '../format.ts';
import type { Row } from './service-data.ts';

export interface RowActions {
  deregister(id: string): void;
  setHealth(id: string, status: 'HEALTHY' | 'UNHEALTHY'): void;
}

export function InstanceRow({
  row,
  open,
  toggle,
  now,
  replica,
  actions,
}: {
  row: Row;
  open: boolean;
  toggle: () => void;
  now: number;
  replica: string;
  actions: RowActions;
}) {
  const d = row.detail;
  const health = d?.health ?? 'UNKNOWN';
  const probe = d?.check === 'probe' ? (d.probedBy ?? 'no replica yet') : d?.check === 'custom' ? 'custom (API)' : '–';
  return html`<tr data-instance=${row.id} class=${open ? 'open' : ''}>
      <td><button type="button" class="link mono" aria-expanded=${open} onClick=${toggle}>${row.id}</button></td>
      <td class="attrs">${Object.entries(row.attributes).map(([k, v]) => html`<span class="attr"><b>${k}</b>=${v}</span>`)}</td>
      <td><${HealthBadge} status=${health} /></td>
      <td title=${d?.since ? clock(d.since) : ''}>${d?.since ? ago(d.since, now) : '–'}</td>
      <td class="mono small">${probe}</td>
      <td class="actions">
        ${
          d?.check === 'custom' &&
          html`<button type="button" onClick=${() => actions.setHealth(row.id, health === 'UNHEALTHY' ? 'HEALTHY' : 'UNHEALTHY')}>
            Mark ${health === 'UNHEALTHY' ? 'healthy' : 'unhealthy'}
          </button>`
        }
        <button type="button" class="danger" onClick=${() => actions.deregister(row.id)}>Deregister</button>
      </td>
    </tr>
    ${
      open &&
      html`<tr class="detail">
        <td colspan="6">
          <h4>Health timeline</h4>
          <${Timeline} points=${d?.timeline ?? []} now=${now} replica=${replica} />
        </td>
      </tr>`
    }`;
}
