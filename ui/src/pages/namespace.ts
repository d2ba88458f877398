// One namespace: its properties and its services, each with its routing policy, records and TTLs, health
// check and instances counted by health.
import { useState } from 'preact/hooks';
import { html } from '../html.ts';
import { SearchBox } from '../components/search.ts';
import { useLoad } from '../hooks.ts';
import { getNamespace, httpName, listServices, type Namespace, type Service } from '../net/cloudmap.ts';
import { instanceDetails } from '../net/console-api.ts';
import { HealthCounts } from '../components/badge.ts';
import { healthCheck, matches, records } from '../format.ts';
import { hrefService } from '../router.ts';

interface Loaded {
  namespace: Namespace;
  services: (Service & { health: string[] })[];
}

/** Each instance's health, as the service page shows it; a service without health checks has none to ask for. */
async function healthOf(s: Service): Promise<string[]> {
  if (!s.HealthCheckConfig && !s.HealthCheckCustomConfig) return new Array<string>(s.InstanceCount ?? 0).fill('UNKNOWN');
  return (await instanceDetails(s.Id)).map((d) => d.health);
}

async function loadNamespace(id: string): Promise<Loaded> {
  const [namespace, services] = await Promise.all([getNamespace(id), listServices(id)]);
  const withHealth = await Promise.all(services.map(async (s) => ({ ...s, health: await healthOf(s) })));
  return { namespace, services: withHealth.sort((a, b) => a.Name.localeCompare(b.Name)) };
}

export function NamespacePage({ namespaceId }: { namespaceId: string }) {
  const { data, error } = useLoad(() => loadNamespace(namespaceId), namespaceId, 3000);
  const [query, setQuery] = useState('');
  const ns = data?.namespace;
  const services = (data?.services ?? []).filter((s) => matches(query, s.Name, s.Id, s.Description));
  return html`<main>
    <nav class="crumbs"><a href="#/">Namespaces</a><span>${ns?.Name ?? namespaceId}</span></nav>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
    ${
      ns &&
      html`<section class="facts">
        <h2>${ns.Name}</h2>
        <dl>
          <dt>Type</dt>
          <dd>${ns.Type}</dd>
          <dt>Id</dt>
          <dd class="mono">${ns.Id}</dd>
          <dt>HTTP name</dt>
          <dd>${httpName(ns)}</dd>
          ${
            ns.Properties?.DnsProperties?.SOA?.TTL !== undefined &&
            html`<dt>SOA TTL</dt>
              <dd>${ns.Properties.DnsProperties.SOA.TTL}s</dd>`
          }
          ${
            ns.Description &&
            html`<dt>Description</dt>
              <dd>${ns.Description}</dd>`
          }
        </dl>
      </section>`
    }
    <section>
      <div class="section-head">
        <h2>Services</h2>
        <${SearchBox} value=${query} placeholder="service" onInput=${setQuery} />
      </div>
      ${!data && !error && html`<p class="muted">Loading…</p>`}
      ${
        data &&
        html`<table class="list" data-table="services">
          <thead>
            <tr>
              <th>Service</th>
              <th>Routing</th>
              <th>Records</th>
              <th>Health check</th>
              <th>Instances</th>
            </tr>
          </thead>
          <tbody>
            ${services.map(
              (s) =>
                html`<tr data-service=${s.Name}>
                  <td>
                    <a href=${hrefService(namespaceId, s.Id)}>${s.Name}</a
                    >${s.Description && html`<div class="muted small">${s.Description}</div>`}
                  </td>
                  <td>${s.DnsConfig?.RoutingPolicy ?? '–'}</td>
                  <td>${records(s)}</td>
                  <td>${healthCheck(s)}</td>
                  <td><${HealthCounts} statuses=${s.health} /></td>
                </tr>`,
            )}
            ${
              services.length === 0 &&
              html`<tr>
                <td colspan="5" class="muted">${query ? 'No service matches.' : 'No services in this namespace.'}</td>
              </tr>`
            }
          </tbody>
        </table>`
      }
    </section>
  </main>`;
}
