// Hash routes, so every view has an address that survives a reload and cairn serves one page:
// #/ (namespaces), #/ns/<id> (its services), #/ns/<id>/svc/<id> (its instances), #/operations.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'overview' }
  | { page: 'namespace'; namespaceId: string }
  | { page: 'service'; namespaceId: string; serviceId: string }
  | { page: 'operations' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'operations') return { page: 'operations' };
  if (parts[0] === 'ns' && parts[1] !== undefined) {
    if (parts[2] === 'svc' && parts[3] !== undefined) return { page: 'service', namespaceId: parts[1], serviceId: parts[3] };
    return { page: 'namespace', namespaceId: parts[1] };
  }
  return { page: 'overview' };
}

export const hrefNamespace = (id: string): string => `#/ns/${encodeURIComponent(id)}`;
export const hrefService = (nsId: string, id: string): string => `${hrefNamespace(nsId)}/svc/${encodeURIComponent(id)}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const on = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
