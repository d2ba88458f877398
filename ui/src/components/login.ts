// Asks for the access key and secret once per browser session (the registry runs with --credentials), and
// keeps them only once a signed call with them was accepted.
import { useState } from 'preact/hooks';
import { html } from '../html.ts';
import { call } from '../net/cloudmap.ts';
import { signIn } from '../net/session.ts';

export function Login({ reason }: { reason: string | undefined }) {
  const [accessKeyId, setKey] = useState('');
  const [secretAccessKey, setSecret] = useState('');
  const [error, setError] = useState<string | undefined>(reason);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const creds = { accessKeyId: accessKeyId.trim(), secretAccessKey };
    try {
      await call('ListNamespaces', { MaxResults: 1 }, creds);
      signIn(creds);
    } catch (err) {
      setError(`Refused: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <form onSubmit=${(e: Event) => void submit(e)} aria-labelledby="login-title">
      <h1 id="login-title">Sign in to cairn</h1>
      <p>
        This registry accepts only signed requests (<code>--credentials</code>). The console signs each request with the key below, as the
        AWS SDKs do, and forgets it when this tab closes.
      </p>
      <label
        >Access key ID
        <input
          name="accessKeyId"
          autocomplete="username"
          required
          value=${accessKeyId}
          onInput=${(e: Event) => setKey((e.target as HTMLInputElement).value)}
      /></label>
      <label
        >Secret access key
        <input
          name="secretAccessKey"
          type="password"
          autocomplete="current-password"
          required
          value=${secretAccessKey}
          onInput=${(e: Event) => setSecret((e.target as HTMLInputElement).value)}
      /></label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button type="submit" disabled=${busy}>${busy ? 'Checking…' : 'Sign in'}</button>
    </form>
  </main>`;
}
