// The operations log: ListOperations a page at a time (newest first), filtered by type and status, each
// operation's details from GetOperation; the search box looks within the page.
import { useState } from 'preact/hooks';
import { html } from '../html.ts';
import { SearchBox } from '../components/search.ts';
import { useLoad, useNow } from '../hooks.ts';
import { call, filterEq, type Operation } from '../net/cloudmap.ts';
import { ago, clock, matches } from '../format.ts';

const PAGE = 20;
const TYPES = [
  '',
  'CREATE_NAMESPACE',
  'DELETE_NAMESPACE',
  'UPDATE_NAMESPACE',
  'UPDATE_SERVICE',
  'REGISTER_INSTANCE',
  'DEREGISTER_INSTANCE',
];
const STATUSES = ['', 'SUBMITTED', 'PENDING', 'SUCCESS', 'FAIL'];

interface Page {
  operations: Operation[];
  next: string | undefined;
}

async function loadPage(token: string | undefined, type: string, status: string): Promise<Page> {
  const filters = [...(type ? [filterEq('TYPE', type)] : []), ...(status ? [filterEq('STATUS', status)] : [])];
  const page = await call<{ Operations?: { Id: string }[]; NextToken?: string }>('ListOperations', {
    MaxResults: PAGE,
    ...(filters.length ? { Filters: filters } : {}),
    ...(token ? { NextToken: token } : {}),
  });
  const operations = await Promise.all(
    (page.Operations ?? []).map(async (o) => (await call<{ Operation: Operation }>('GetOperation', { OperationId: o.Id })).Operation),
  );
  return { operations, next: page.NextToken };
}

export function OperationsPage() {
  const [type, setType] = useState('');
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  /** Tokens of the pages before this one, and this one's. */
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const token = tokens[tokens.length - 1];
  const { data, error } = useLoad(
    () => loadPage(token, type, status),
    `${type}|${status}|${token ?? ''}`,
    tokens.length === 1 ? 5000 : undefined,
  );
  const now = useNow();
  const select = (set: (v: string) => void) => (e: Event) => {
    set((e.target as HTMLSelectElement).value);
    setTokens([undefined]);
  };
  const shown = (data?.operations ?? []).filter((o) => matches(search, o.Id, o.Type, o.Status, ...Object.values(o.Targets ?? {})));
  return html`<main>
    <section>
      <div class="section-head">
        <h2>Operations</h2>
        <div class="filters">
          <label
            >Type
            <select name="type" onChange=${select(setType)}>
              ${TYPES.map((t) => html`<option value=${t} selected=${t === type}>${t || 'any'}</option>`)}
            </select></label
          >
          <label
            >Status
            <select name="status" onChange=${select(setStatus)}>
              ${STATUSES.map((t) => html`<option value=${t} selected=${t === status}>${t || 'any'}</option>`)}
            </select></label
          >
          <${SearchBox} value=${search} placeholder="id or target on this page" onInput=${setSearch} />
        </div>
      </div>
      ${error && html`<p class="error" role="alert">${error.message}</p>`} ${!data && !error && html`<p class="muted">Loading…</p>`}
      ${
        data &&
        html`<table class="list" data-table="operations">
            <thead>
              <tr>
                <th>When</th>
                <th>Type</th>
                <th>Status</th>
                <th>Targets</th>
                <th>Id</th>
              </tr>
            </thead>
            <tbody>
              ${shown.map(
                (o) =>
                  html`<tr data-operation=${o.Id}>
                    <td title=${o.CreateDate ? clock(o.CreateDate * 1000) : ''}>${o.CreateDate ? ago(o.CreateDate * 1000, now) : '–'}</td>
                    <td>${o.Type}</td>
                    <td>
                      <span class=${`status status-${(o.Status ?? '').toLowerCase()}`}>${o.Status}</span
                      >${o.ErrorMessage && html`<div class="error small">${o.ErrorMessage}</div>`}
                    </td>
                    <td class="small">
                      ${Object.entries(o.Targets ?? {}).map(([k, v]) => html`<div><b>${k.toLowerCase()}</b> <span class="mono">${v}</span></div>`)}
                    </td>
                    <td class="mono muted small">${o.Id}</td>
                  </tr>`,
              )}
              ${
                shown.length === 0 &&
                html`<tr>
                  <td colspan="5" class="muted">No operations${search ? ' match on this page' : ''}.</td>
                </tr>`
              }
            </tbody>
          </table>
          <div class="pager">
            <button type="button" disabled=${tokens.length === 1} onClick=${() => setTokens(tokens.slice(0, -1))}>← Newer</button>
            <span class="muted">page ${tokens.length}</span>
            <button type="button" disabled=${!data.next} onClick=${() => setTokens([...tokens, data.next])}>Older →</button>
          </div>`
      }
    </section>
  </main>`;
}
