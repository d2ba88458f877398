// The console: asks the server whether it needs credentials, asks for them once if so, then shows the
// page the address names.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.ts';
import { about as loadAbout, type About } from './net/console-api.ts';
import { onRefused } from './net/cloudmap.ts';
import { credentials, onSessionChange, signOut } from './net/session.ts';
import { useRoute } from './router.ts';
import { Header } from './components/header.ts';
import { Login } from './components/login.ts';
import { Overview } from './pages/overview.ts';
import { NamespacePage } from './pages/namespace.ts';
import { ServicePage } from './pages/service.ts';
import { OperationsPage } from './pages/operations.ts';

export function App() {
  const [about, setAbout] = useState<About | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [, setSession] = useState(0);
  const [refused, setRefused] = useState<string | undefined>(undefined);
  const route = useRoute();

  useEffect(() => {
    loadAbout().then(setAbout, (e: unknown) => setFailure((e as Error).message));
    const offSession = onSessionChange(() => setSession((n) => n + 1));
    // A key that stops working (the server's --credentials changed) sends the operator back to sign in.
    const offRefused = onRefused((e) => {
      if (!credentials()) return;
      setRefused(`The key was refused: ${e.message}`);
      signOut();
    });
    return () => {
      offSession();
      offRefused();
    };
  }, []);

  if (failure) return html`<main><p class="error" role="alert">cairn did not answer: ${failure}</p></main>`;
  if (!about) return html`<main><p class="muted">Loading…</p></main>`;
  if (about.auth && !credentials()) return html`<${Login} reason=${refused} />`;
  return html`<${Header} about=${about} route=${route} />${page(route, about)}`;
}

function page(route: ReturnType<typeof useRoute>, about: About) {
  switch (route.page) {
    case 'overview':
      return html`<${Overview} />`;
    case 'namespace':
      return html`<${NamespacePage} key=${route.namespaceId} namespaceId=${route.namespaceId} />`;
    case 'service':
      return html`<${ServicePage}
        key=${route.serviceId}
        namespaceId=${route.namespaceId}
        serviceId=${route.serviceId}
        replica=${about.replica}
      />`;
    case 'operations':
      return html`<${OperationsPage} />`;
  }
}
