// The instance filters: a search box (instance id and attribute text, here in the page) and attribute
// pairs key=value, which go to DiscoverInstances as its QueryParameters.
import { html } from '../html.ts';
import { SearchBox } from './search.ts';

export interface FilterValue {
  search: string;
  pairs: string[];
}

export function InstanceFilters({ value, onChange }: { value: FilterValue; onChange: (v: FilterValue) => void }) {
  const setPair = (i: number, text: string): void => onChange({ ...value, pairs: value.pairs.map((p, j) => (j === i ? text : p)) });
  return html`<div class="filters">
    <${SearchBox}
      value=${value.search}
      placeholder="instance id or attribute"
      onInput=${(v: string) => onChange({ ...value, search: v })}
    />
    <fieldset>
      <legend>Attribute filters (DiscoverInstances)</legend>
      ${value.pairs.map(
        (p, i) =>
          html`<span class="pair">
            <input
              name="attribute"
              placeholder="key=value"
              value=${p}
              aria-label="attribute filter"
              onChange=${(e: Event) => setPair(i, (e.target as HTMLInputElement).value)}
            />
            <button
              type="button"
              class="link"
              aria-label="remove filter"
              onClick=${() => onChange({ ...value, pairs: value.pairs.filter((_, j) => j !== i) })}
            >
              ×
            </button>
          </span>`,
      )}
      <button type="button" class="link" onClick=${() => onChange({ ...value, pairs: [...value.pairs, ''] })}>+ filter</button>
    </fieldset>
  </div>`;
}
