// Writes src/model/inputs.ts from the model (see scripts/lib/input-types.ts). Run: npx node scripts/gen-inputs.ts
import { writeFileSync } from 'node:fs';
import { inputTypesSource } from './lib/input-types.ts';

writeFileSync(new URL('../src/model/inputs.ts', import.meta.url), inputTypesSource());
