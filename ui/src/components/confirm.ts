// Asks before an action changes the registry: a modal <dialog> saying what will happen, with Cancel first.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.ts';

export interface Ask {
  title: string;
  body: string;
  action: string;
  run: () => Promise<void>;
}

export function ConfirmDialog({ ask, done }: { ask: Ask | undefined; done: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (ask && !d.open) d.showModal();
    if (!ask && d.open) d.close();
    setError(undefined);
  }, [ask]);
  const confirm = async (): Promise<void> => {
    if (!ask) return;
    setBusy(true);
    try {
      await ask.run();
      done();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return html`<dialog ref=${dialog} class="confirm" onClose=${done} aria-labelledby="confirm-title">
    ${
      ask &&
      html`<h2 id="confirm-title">${ask.title}</h2>
        <p>${ask.body}</p>
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <div class="buttons">
          <button type="button" onClick=${done} disabled=${busy}>Cancel</button>
          <button type="button" class="danger" onClick=${() => void confirm()} disabled=${busy}>${ask.action}</button>
        </div>`
    }
  </dialog>`;
}
