// htm bound to Preact: components are tagged templates, so the console needs no JSX compiler.
export { html } from 'htm/preact';
