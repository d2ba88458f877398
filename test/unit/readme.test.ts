// The README is the user's manual: its settings table must list every setting with its real default.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envName, settings } from '../../src/config.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(Object.entries(settings))('documents --%s with its environment variable and default', (flag, s) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`--${flag}\``));
    expect(row, `no settings row for --${flag}`).toBeDefined();
    expect(row).toContain(`\`${envName(flag)}\``);
    expect(row).toContain(s.default === undefined ? '| — |' : `| \`${s.default}\` |`);
  });

  it('gives the two-command quick start and the test command', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
