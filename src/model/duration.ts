// Durations as cairn's settings, the agent's and the watch endpoints write them: a number and a unit.
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of `500ms`, `2s`, `1.5m`, `1h`, `30d`; undefined for anything else (no unit, a sign, blanks inside). */
export function parseDuration(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(raw.trim());
  return m ? Math.round(Number(m[1]) * UNITS[m[2]!]!) : undefined;
}
