// A cairn replica in a process of its own (started with --expose-gc by tcp-bounds.test.ts), so the test
// can read its memory after a full collection while it floods the DNS TCP port from outside.
import { pino } from 'pino';
import { loopbackFlags } from '../../bench/lib/ports.ts';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';

export interface ChildMemory {
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
}
export type ChildMessage = { port: number } | { memory: ChildMemory };

const flags = [...loopbackFlags(), '--log-level', 'silent'];
const server = await startServer(loadConfig([...flags, ...process.argv.slice(2)], {}), { log: pino({ level: 'silent' }) });
const ns = await seedNamespace(server, { name: 'flood.test', type: 'DNS_PUBLIC' });
const big = await seedService(server, {
  name: 'big',
  namespaceId: ns.id,
  dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'SRV', ttl: 30 }] },
});
// 8 SRV records with 60-character targets and their A records: an answer of about 1 KB.
for (let i = 0; i < 8; i++)
  await seedInstance(server, big.id, `instance-${i}-${'x'.repeat(49)}`, { AWS_INSTANCE_IPV4: `10.9.0.${i}`, AWS_INSTANCE_PORT: '80' });

const send = (m: ChildMessage): void => {
  process.send!(m);
};
send({ port: server.dnsAddress.port });
process.on('message', (m: string) => {
  if (m === 'memory') {
    globalThis.gc!();
    globalThis.gc!();
    const u = process.memoryUsage();
    send({ memory: { rss: u.rss, heapUsed: u.heapUsed, arrayBuffers: u.arrayBuffers } });
  } else if (m === 'stop') {
    void server.stop().then(() => process.exit(0));
  }
});
