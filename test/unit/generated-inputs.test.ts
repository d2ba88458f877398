// src/model/inputs.ts is generated from the model: it must be exactly what the generator makes of the
// model in the repository (run `npx node scripts/gen-inputs.ts` after updating src/model/service-2.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inputTypesSource } from '../../scripts/lib/input-types.ts';

describe('generated input types', () => {
  it('are up to date with src/model/service-2.json', () => {
    const committed = readFileSync(new URL('../../src/model/inputs.ts', import.meta.url), 'utf8');
    expect(committed).toBe(inputTypesSource());
  });
});
