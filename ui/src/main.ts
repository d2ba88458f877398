// Starts the console in the page cairn serves at /ui, and the /metrics sampling behind the front page's
// charts (it runs while the page is open, whichever view is shown).
import { render } from 'preact';
import { html } from './html.ts';
import { App } from './app.ts';
import { startSampling } from './metrics/sampler.ts';

const root = document.getElementById('app')!;
root.replaceChildren(); // the "Loading" line the page shows until this script runs
startSampling();
render(html`<${App} />`, root);
