// Property tests of the API against a real server (embedded store): any body, any target, every model
// operation with mostly-valid bodies that are then damaged. Each answer is a 2xx or a 4xx AWS error.
// A failure prints fast-check's seed and path; CAIRN_FUZZ_SEED and CAIRN_FUZZ_PATH replay it.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { properties, runParameters, type FuzzTarget } from '../../bench/fuzz/properties.ts';
import type { TestServer } from '../support/server.ts';
import { startFuzzTarget } from './target.ts';

let t: TestServer;
let target: FuzzTarget;

beforeAll(async () => {
  ({ server: t, target } = await startFuzzTarget());
});
afterAll(async () => {
  await t.stop();
});

describe('API fuzz (embedded store)', () => {
  it('answers any JSON (or not JSON) sent to any X-Amz-Target with a 2xx or a 4xx AWS error', async () => {
    await fc.assert(properties.hostile(target), runParameters(300));
  });

  it('answers every model operation with mostly-valid, mutated bodies with a 2xx or a 4xx, never UnknownOperation', async () => {
    await fc.assert(properties.model(target), runParameters(400));
  });

  it('treats JavaScript property names (constructor, toString, __proto__ ...) as unknown operations', async () => {
    await fc.assert(properties.prototypeTarget(target), runParameters(60));
  });

  it('answers a member that is an object of prototype names ({"length":{"toString":""}}) with a 4xx', async () => {
    await fc.assert(properties.prototypeMembers(target), runParameters(300));
  });

  it('refuses a body nested thousands of levels deep with a 4xx', async () => {
    await fc.assert(properties.deep(target), runParameters(20));
  });
});
