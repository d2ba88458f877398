// The access key and secret the console signs with, kept for this browser tab's session only
// (sessionStorage): asked for once, forgotten when the tab closes or on "Sign out".
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const KEY = 'cairn.console.credentials';
let current: Credentials | undefined = load();
const listeners = new Set<() => void>();

function load(): Credentials | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    const value = raw === null ? undefined : (JSON.parse(raw) as Partial<Credentials>);
    return typeof value?.accessKeyId === 'string' && typeof value.secretAccessKey === 'string'
      ? { accessKeyId: value.accessKeyId, secretAccessKey: value.secretAccessKey }
      : undefined;
  } catch {
    return undefined;
  }
}

export const credentials = (): Credentials | undefined => current;

export function signIn(value: Credentials): void {
  current = value;
  sessionStorage.setItem(KEY, JSON.stringify(value));
  for (const l of listeners) l();
}

export function signOut(): void {
  current = undefined;
  sessionStorage.removeItem(KEY);
  for (const l of listeners) l();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
