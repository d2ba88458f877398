// The model-driven API property against the Redis store: the same mostly-valid, mutated requests must
// get a 2xx or a 4xx when every write goes through Redis scripts and the change feed.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Pool } from '../../bench/fuzz/pool.ts';
import { properties, runParameters, Stats, type FuzzTarget } from '../../bench/fuzz/properties.ts';
import { FUZZ_VPC_FLAG, refreshPool, seedProbe, seedTargets } from '../../bench/fuzz/resources.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let t: TestServer;
let target: FuzzTarget;

beforeAll(async () => {
  t = await startTestServer({ store: 'redis', flags: FUZZ_VPC_FLAG });
  const pool = new Pool();
  await seedProbe(t.endpoint, pool);
  await seedTargets(t.endpoint);
  await refreshPool(t.endpoint, pool);
  target = {
    endpoint: t.endpoint,
    dns: { host: '127.0.0.1', port: t.server.dnsAddress.port, probeName: '', maxUdp: 1232 },
    pool,
    stats: new Stats(),
  };
});
afterAll(async () => {
  await t.stop();
});

describe('API fuzz (Redis store)', () => {
  it('answers every model operation with mostly-valid, mutated bodies with a 2xx or a 4xx', async () => {
    await fc.assert(properties.model(target), runParameters(200));
  });
});
