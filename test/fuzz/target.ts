// The replica the fuzz tests aim at: started with the fuzz VPC and seeded as bench/fuzz.ts seeds the
// servers of its long run, with the target that the properties take.
import { Pool } from '../../bench/fuzz/pool.ts';
import { Stats, type FuzzTarget } from '../../bench/fuzz/properties.ts';
import { FUZZ_VPC_FLAG, PROBE_NAME, refreshPool, seedProbe, seedTargets } from '../../bench/fuzz/resources.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/server.ts';

export async function startFuzzTarget(options: TestServerOptions = {}): Promise<{ server: TestServer; target: FuzzTarget }> {
  const server = await startTestServer({ ...options, flags: FUZZ_VPC_FLAG });
  const pool = new Pool();
  await seedProbe(server.endpoint, pool);
  await seedTargets(server.endpoint);
  await refreshPool(server.endpoint, pool);
  const dns = { host: '127.0.0.1', port: server.server.dnsAddress.port, probeName: PROBE_NAME, maxUdp: 1232 };
  return { server, target: { endpoint: server.endpoint, dns, pool, stats: new Stats() } };
}
