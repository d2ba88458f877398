// The model-driven API property against the Redis store: the same mostly-valid, mutated requests must
// get a 2xx or a 4xx when every write goes through Redis scripts and the change feed.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { properties, runParameters, type FuzzTarget } from '../../bench/fuzz/properties.ts';
import type { TestServer } from '../support/server.ts';
import { startFuzzTarget } from './target.ts';

let t: TestServer;
let target: FuzzTarget;

beforeAll(async () => {
  ({ server: t, target } = await startFuzzTarget({ store: 'redis' }));
});
afterAll(async () => {
  await t.stop();
});

describe('API fuzz (Redis store)', () => {
  it('answers every model operation with mostly-valid, mutated bodies with a 2xx or a 4xx', async () => {
    await fc.assert(properties.model(target), runParameters(200));
  });
});
