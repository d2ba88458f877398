// The search box of the lists: it filters what the page already has, as the operator types.
import { html } from '../html.ts';

export function SearchBox({ value, placeholder, onInput }: { value: string; placeholder: string; onInput: (v: string) => void }) {
  return html`<label class="search"
    >Search
    <input
      type="search"
      name="search"
      placeholder=${placeholder}
      value=${value}
      onInput=${(e: Event) => onInput((e.target as HTMLInputElement).value)}
  /></label>`;
}
