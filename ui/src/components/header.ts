// The bar on every page: where you are, the pages, the replica answering, and who is signed in — or that the
// registry is open to anyone who reaches it.
import { html } from '../html.ts';
import type { About } from '../net/console-api.ts';
import { credentials, signOut } from '../net/session.ts';
import type { Route } from '../router.ts';

export function Header({ about, route }: { about: About; route: Route }) {
  const creds = credentials();
  const current = (page: Route['page'][]): string => (page.includes(route.page) ? 'current' : '');
  return html`<header class="top">
    <a class="brand" href="#/">cairn</a>
    <nav>
      <a href="#/" class=${current(['overview', 'namespace', 'service'])}>Registry</a>
      <a href="#/operations" class=${current(['operations'])}>Operations</a>
    </nav>
    <span class="spacer"></span>
    <span class="muted small" title="the replica that serves this console">replica ${about.replica} · v${about.version}</span>
    ${
      about.auth
        ? creds &&
          html`<span class="who"
            >signed in as <b class="mono">${creds.accessKeyId}</b>
            <button type="button" class="link" onClick=${signOut}>Sign out</button></span
          >`
        : html`<span class="open-registry" data-open="true" title="cairn runs without --credentials"
            >This registry is open: requests are not signed</span
          >`
    }
  </header>`;
}
