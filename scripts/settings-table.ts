// Prints the README's settings table from src/config.ts, so the two never drift. Run:
// npx node scripts/settings-table.ts
import { envName, settings } from '../src/config.ts';

const rows = Object.entries(settings).map(
  ([flag, s]) =>
    `| \`--${flag}\`${s.repeatable ? ' (repeatable)' : ''} | \`${envName(flag)}\` | ${s.default === undefined ? '—' : `\`${s.default}\``} | ${s.help} |`,
);
console.log(['| Flag | Environment | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n'));
