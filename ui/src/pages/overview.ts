// The front page: DNS traffic over the last minutes, and every namespace with its type, services and
// instances; the search box finds namespaces and services by name.
import { useState } from 'preact/hooks';
import { html } from '../html.ts';
import { SearchBox } from '../components/search.ts';
import { useLoad } from '../hooks.ts';
import { listAll, listServices, type Namespace, type Service } from '../net/cloudmap.ts';
import { hrefNamespace, hrefService } from '../router.ts';
import { matches } from '../format.ts';
import { DnsCharts } from './dns-charts.ts';

interface Registry {
  namespaces: Namespace[];
  services: Service[];
}

async function loadRegistry(): Promise<Registry> {
  const namespaces = await listAll<Namespace>('ListNamespaces', { MaxResults: 100 }, 'Namespaces');
  const perNamespace = await Promise.all(namespaces.map(async (n) => (await listServices(n.Id)).map((s) => ({ ...s, NamespaceId: n.Id }))));
  return { namespaces: namespaces.sort((a, b) => a.Name.localeCompare(b.Name)), services: perNamespace.flat() };
}

const TYPES: Record<string, string> = { HTTP: 'HTTP', DNS_PUBLIC: 'public DNS', DNS_PRIVATE: 'private DNS' };

export function Overview() {
  const { data, error } = useLoad(loadRegistry, 'overview', 3000);
  const [query, setQuery] = useState('');
  const instancesOf = (nsId: string): number =>
    (data?.services ?? []).filter((s) => s.NamespaceId === nsId).reduce((n, s) => n + (s.InstanceCount ?? 0), 0);
  const namespaces = (data?.namespaces ?? []).filter((n) => matches(query, n.Name, n.Id, n.Description));
  const services = query.trim() === '' ? [] : (data?.services ?? []).filter((s) => matches(query, s.Name, s.Id, s.Description));
  const nsName = (id: string | undefined): string => data?.namespaces.find((n) => n.Id === id)?.Name ?? id ?? '';
  return html`<main>
    <${DnsCharts} />
    <section>
      <div class="section-head">
        <h2>Namespaces</h2>
        <${SearchBox} value=${query} placeholder="namespace or service" onInput=${setQuery} />
      </div>
      ${error && html`<p class="error" role="alert">${error.message}</p>`} ${!data && !error && html`<p class="muted">Loading…</p>`}
      ${
        data &&
        html`<table class="list" data-table="namespaces">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th class="num">Services</th>
              <th class="num">Instances</th>
              <th>Id</th>
            </tr>
          </thead>
          <tbody>
            ${namespaces.map(
              (n) =>
                html`<tr data-namespace=${n.Name}>
                  <td>
                    <a href=${hrefNamespace(n.Id)}>${n.Name}</a>${n.Description && html`<div class="muted small">${n.Description}</div>`}
                  </td>
                  <td>${TYPES[n.Type] ?? n.Type}</td>
                  <td class="num">${n.ServiceCount ?? 0}</td>
                  <td class="num">${instancesOf(n.Id)}</td>
                  <td class="mono muted">${n.Id}</td>
                </tr>`,
            )}
            ${
              namespaces.length === 0 &&
              html`<tr>
                <td colspan="5" class="muted">
                  ${query ? 'No namespace matches.' : 'No namespaces yet: create one with the AWS CLI or an SDK.'}
                </td>
              </tr>`
            }
          </tbody>
        </table>`
      }
      ${
        services.length > 0 &&
        html`<h3>Services matching “${query}”</h3>
          <ul class="matches">
            ${services.map((s) => html`<li><a href=${hrefService(s.NamespaceId ?? '', s.Id)}>${s.Name}.${nsName(s.NamespaceId)}</a> <span class="muted">${s.InstanceCount ?? 0} instances</span></li>`)}
          </ul>`
      }
    </section>
  </main>`;
}
