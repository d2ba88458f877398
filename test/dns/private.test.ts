// Private namespaces are answered only to clients inside their VPC's CIDRs (spec §2, §7): everyone
// else gets REFUSED, as if the zone did not exist, over UDP and TCP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { lines, tcp, udp } from './dns-client.ts';

let t: TestServer;
let port: number;
const INSIDE = '127.0.0.1';
const OUTSIDE = '127.0.0.2';

beforeAll(async () => {
  t = await startTestServer({ flags: ['--vpc', 'vpc-1=127.0.0.1/32,fd00::/8', '--vpc', 'vpc-2=10.0.0.0/16'] });
  port = t.server.dnsAddress.port;
  const s = t.server;
  const a = (name: string, namespaceId: string) =>
    seedService(s, { name, namespaceId, dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 60 }] } });
  const corp = await seedNamespace(s, { name: 'corp.internal', type: 'DNS_PRIVATE', vpc: 'vpc-1' });
  await seedInstance(s, (await a('db', corp.id)).id, 'db-1', { AWS_INSTANCE_IPV4: '10.0.3.4' });
  // One apex, public and private: the private zone wins for clients that see it.
  const pub = await seedNamespace(s, { name: 'shared.example', type: 'DNS_PUBLIC', createDate: 1 });
  await seedInstance(s, (await a('api', pub.id)).id, 'p', { AWS_INSTANCE_IPV4: '203.0.113.1' });
  const priv = await seedNamespace(s, { name: 'shared.example', type: 'DNS_PRIVATE', vpc: 'vpc-1', createDate: 2 });
  await seedInstance(s, (await a('api', priv.id)).id, 'q', { AWS_INSTANCE_IPV4: '10.0.0.1' });
  // A VPC of another network and one with no --vpc entry: nobody here sees them.
  const other = await seedNamespace(s, { name: 'other.internal', type: 'DNS_PRIVATE', vpc: 'vpc-2' });
  await seedInstance(s, (await a('db', other.id)).id, 'o', { AWS_INSTANCE_IPV4: '10.0.0.2' });
  await seedNamespace(s, { name: 'orphan.internal', type: 'DNS_PRIVATE', vpc: 'vpc-unknown' });
});
afterAll(async () => {
  await t?.stop();
});

const SOA = 'corp.internal. 15 SOA ns1.corp.internal. hostmaster.corp.internal. 1 7200 900 1209600 15';

describe('private namespaces', () => {
  it.each([
    ['db.corp.internal', INSIDE, 'NOERROR', true, ['db.corp.internal. 60 A 10.0.3.4'], []],
    ['db.corp.internal', OUTSIDE, 'REFUSED', false, [], []],
    ['nothere.corp.internal', INSIDE, 'NXDOMAIN', true, [], [SOA]],
    ['nothere.corp.internal', OUTSIDE, 'REFUSED', false, [], []],
    ['corp.internal', OUTSIDE, 'REFUSED', false, [], []],
    ['api.shared.example', INSIDE, 'NOERROR', true, ['api.shared.example. 60 A 10.0.0.1'], []],
    ['api.shared.example', OUTSIDE, 'NOERROR', true, ['api.shared.example. 60 A 203.0.113.1'], []],
    ['db.other.internal', INSIDE, 'REFUSED', false, [], []],
    ['orphan.internal', INSIDE, 'REFUSED', false, [], []],
  ])('%s from %s: %s', async (name, from, rcode, aa, answer, authority) => {
    for (const reply of [await udp(port, { name }, { from }), await tcp(port, { name }, { from })]) {
      expect(reply.packet.rcode).toBe(rcode);
      expect(reply.packet.flag_aa).toBe(aa);
      expect(lines(reply.packet.answers)).toEqual(answer);
      expect(lines(reply.packet.authorities)).toEqual(authority);
    }
  });
});
