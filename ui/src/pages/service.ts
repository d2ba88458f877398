// One service: its routing policy, records, health check and counts; its instances with search and the
// DiscoverInstances attribute filters, kept live by the watch stream; deregister and custom health, each
// confirmed first.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { html } from '../html.ts';
import { useLoad, useNow } from '../hooks.ts';
import { call, httpName } from '../net/cloudmap.ts';
import { followService, type LiveState } from '../live/follow.ts';
import { HealthCounts } from '../components/badge.ts';
import { ConfirmDialog, type Ask } from '../components/confirm.ts';
import { InstanceFilters, type FilterValue } from '../components/filters.ts';
import { healthCheck, matches, parsePairs, records } from '../format.ts';
import { hrefNamespace } from '../router.ts';
import { InstanceRow, type RowActions } from './instance-row.ts';
import { loadService } from './service-data.ts';

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: 'connecting…',
  following: 'live',
  polling: 'live (polling: no watch stream)',
  reconnecting: 'reconnecting…',
};

export function ServicePage({ namespaceId, serviceId, replica }: { namespaceId: string; serviceId: string; replica: string }) {
  const [filters, setFilters] = useState<FilterValue>({ search: '', pairs: [''] });
  const query = useMemo(() => parsePairs(filters.pairs), [filters.pairs]);
  const key = `${serviceId}?${JSON.stringify(query)}`;
  const { data, error, reload } = useLoad(() => loadService(namespaceId, serviceId, query), key);
  const [live, setLive] = useState<LiveState>('connecting');
  const [openRow, setOpenRow] = useState<string | undefined>(undefined);
  const [ask, setAsk] = useState<Ask | undefined>(undefined);
  const now = useNow();

  const namespaceName = data && httpName(data.namespace);
  const serviceName = data?.service.Name;
  useEffect(() => {
    if (namespaceName === undefined || serviceName === undefined) return undefined;
    const follow = followService(namespaceName, serviceName, reload, setLive);
    return () => follow.stop();
  }, [namespaceName, serviceName, reload]);

  const fqdn = `${serviceName ?? serviceId}.${data?.namespace.Name ?? ''}`;
  const actions: RowActions = {
    deregister: (id) =>
      setAsk({
        title: `Deregister ${id}?`,
        body: `DeregisterInstance removes ${id} from ${fqdn}: DNS and DiscoverInstances stop answering it at once. Whatever registered it may register it again.`,
        action: 'Deregister',
        run: async () => {
          await call('DeregisterInstance', { ServiceId: serviceId, InstanceId: id });
          reload();
        },
      }),
    setHealth: (id, status) =>
      setAsk({
        title: `Mark ${id} ${status.toLowerCase()}?`,
        body: `UpdateInstanceCustomHealthStatus sets ${id}'s custom health to ${status}. ${status === 'UNHEALTHY' ? 'DNS and DiscoverInstances (HEALTHY) stop answering it.' : 'It is answered again.'}`,
        action: `Mark ${status.toLowerCase()}`,
        run: async () => {
          await call('UpdateInstanceCustomHealthStatus', { ServiceId: serviceId, InstanceId: id, Status: status });
          reload();
        },
      }),
  };

  const rows = (data?.rows ?? []).filter((r) =>
    matches(filters.search, r.id, ...Object.entries(r.attributes).map(([k, v]) => `${k}=${v}`)),
  );
  const s = data?.service;
  return html`<main>
    <nav class="crumbs">
      <a href="#/">Namespaces</a><a href=${hrefNamespace(namespaceId)}>${data?.namespace.Name ?? namespaceId}</a>
      <span>${serviceName ?? serviceId}</span>
    </nav>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
    ${
      s &&
      html`<section class="facts">
        <h2>${fqdn} <span class=${`live live-${live}`} data-live=${live}>${LIVE_TEXT[live]}</span></h2>
        <dl>
          <dt>Id</dt>
          <dd class="mono">${s.Id}</dd>
          <dt>Routing</dt>
          <dd>${s.DnsConfig?.RoutingPolicy ?? '–'}</dd>
          <dt>Records</dt>
          <dd>${records(s)}</dd>
          <dt>Health check</dt>
          <dd>${healthCheck(s)}</dd>
          <dt>Instances</dt>
          <dd><${HealthCounts} statuses=${(data?.rows ?? []).map((r) => r.detail?.health ?? 'UNKNOWN')} /></dd>
          ${
            s.Description &&
            html`<dt>Description</dt>
              <dd>${s.Description}</dd>`
          }
        </dl>
      </section>`
    }
    <section>
      <${InstanceFilters} value=${filters} onChange=${setFilters} />
      ${
        data?.discovered &&
        html`<p class="muted small">
          Showing DiscoverInstances' answer for
          ${Object.entries(query)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}
          (all health states).
        </p>`
      }
      ${!data && !error && html`<p class="muted">Loading…</p>`}
      ${
        data &&
        html`<table class="list" data-table="instances">
          <thead>
            <tr>
              <th>Instance</th>
              <th>Attributes</th>
              <th>Health</th>
              <th>Last flip</th>
              <th>Probed by</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (r) =>
                html`<${InstanceRow}
                  key=${r.id}
                  row=${r}
                  open=${openRow === r.id}
                  toggle=${() => setOpenRow(openRow === r.id ? undefined : r.id)}
                  now=${now}
                  replica=${replica}
                  actions=${actions}
                />`,
            )}
            ${
              rows.length === 0 &&
              html`<tr>
                <td colspan="6" class="muted">No instances${filters.search || data.discovered ? ' match' : ''}.</td>
              </tr>`
            }
          </tbody>
        </table>`
      }
    </section>
    <${ConfirmDialog} ask=${ask} done=${() => setAsk(undefined)} />
  </main>`;
}
