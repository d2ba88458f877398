// Row 5 of the probe: 5,000 DNS-over-TCP connections that announce a 65,535-byte message (0xFFFF length
// prefix) and then send one byte every 2 s, against the default --dns-tcp-idle-timeout (10s) and
// --dns-tcp-max-connections (1000); the resident memory of the cairn process before, during and after,
// and whether other clients are still answered meanwhile.
import { CreateServiceCommand, RegisterInstanceCommand } from '@aws-sdk/client-servicediscovery';
import { startCairn } from '../lib/cairn.ts';
import { createDnsNamespace } from '../lib/load.ts';
import { rssBytes } from '../lib/proc.ts';
import { mb } from '../lib/table.ts';
import { client, n, openSlow, quantile, rssPeak, s1, sleep, type SlowConnection, type ProbeResult } from './common.ts';
import { encodeQuery, parseReply, tcpExchange, udpExchange } from './dns-wire.ts';

const CONNECTIONS = 5000;
const EVERY_MS = 2000;
const BATCH = 250;
/** Past the idle timeout of the last one opened, with room for a late cut to show. */
const GIVE_UP_MS = 25_000;

export async function tricklingDnsTcp(): Promise<ProbeResult> {
  const cairn = await startCairn({ name: 'row5-dns-tcp' });
  const problems: string[] = [];
  try {
    const sdk = client(cairn.endpoint);
    const ns = await createDnsNamespace(sdk, 'trickle.test');
    const svc = (
      await sdk.send(
        new CreateServiceCommand({
          Name: 'web',
          NamespaceId: ns,
          DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] },
        }),
      )
    ).Service!.Id!;
    for (let i = 1; i <= 3; i++)
      await sdk.send(
        new RegisterInstanceCommand({ ServiceId: svc, InstanceId: `web-${i}`, Attributes: { AWS_INSTANCE_IPV4: `192.0.2.${i}` } }),
      );
    sdk.destroy();
    const query = encodeQuery({ name: 'web.trickle.test', type: 'A', edns: 1232 });
    const answered = async (via: 'udp' | 'tcp'): Promise<boolean> => {
      const b = via === 'udp' ? await udpExchange(cairn.dnsPort, query) : await tcpExchange(cairn.dnsPort, query);
      return b !== undefined && parseReply(b).answers === 3;
    };
    for (let i = 0; i < 20; i++) {
      await answered('udp');
      await answered('tcp');
    }
    await sleep(1000);
    const rssBefore = rssBytes(cairn.proc.pid);
    const rss = rssPeak(cairn.proc.pid, 200);

    const conns: SlowConnection[] = [];
    const trickle = setInterval(() => {
      for (const c of conns) if (c.closedAt === undefined && c.socket.writable) c.socket.write(Buffer.from([0x61]));
    }, EVERY_MS);
    // Other clients all along: one UDP and one new TCP query every 500 ms.
    const probes = { udp: 0, udpOk: 0, tcp: 0, tcpOk: 0 };
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const [u, t] = await Promise.all([answered('udp'), answered('tcp')]);
        probes.udp++;
        probes.tcp++;
        if (u) probes.udpOk++;
        if (t) probes.tcpOk++;
        await sleep(500);
      }
    })();
    const started = performance.now();
    for (let i = 0; i < CONNECTIONS; i += BATCH)
      conns.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(BATCH, CONNECTIONS - i) }, () => openSlow(cairn.dnsPort, Buffer.from([0xff, 0xff]))),
        )),
      );
    const openedMs = performance.now() - started;
    const deadline = performance.now() + GIVE_UP_MS;
    while (conns.some((c) => c.closedAt === undefined) && performance.now() < deadline) await sleep(250);
    const allClosedMs = performance.now() - started;
    probing = false;
    await prober;
    clearInterval(trickle);
    await sleep(3000);
    rss.stop();
    const rssAfter = rssBytes(cairn.proc.pid);

    const lifetimes = conns
      .filter((c) => c.closedAt !== undefined && Number.isFinite(c.connectedAt))
      .map((c) => c.closedAt! - c.connectedAt);
    const stillOpen = conns.filter((c) => c.closedAt === undefined).length;
    const byCap = lifetimes.filter((ms) => ms < 9500).length;
    const byDeadline = lifetimes.filter((ms) => ms >= 9500 && ms <= 11_000).length;
    const longer = lifetimes.filter((ms) => ms > 11_000).length;
    for (const c of conns) c.socket.destroy();

    if (stillOpen > 0) problems.push(`${stillOpen} connections still open after ${GIVE_UP_MS / 1000} s`);
    if (longer > 0) problems.push(`${longer} connections lived longer than 11 s`);
    if (rssAfter - rssBefore > 40 * 1024 * 1024) problems.push(`RSS stayed ${mb(rssAfter - rssBefore)} MB above where it started`);
    if (probes.udpOk < probes.udp || probes.tcpOk < probes.tcp)
      problems.push(`other clients answered: UDP ${probes.udpOk}/${probes.udp}, TCP ${probes.tcpOk}/${probes.tcp}`);
    return {
      row: '5',
      sent: `DNS over TCP: a \`0xFFFF\` length prefix, then one byte every ${EVERY_MS / 1000} s, on ${n(CONNECTIONS)} connections (opened in ${s1(openedMs)} s)`,
      now:
        `${n(byCap)} closed at --dns-tcp-max-connections (1000) to admit newer ones, ${n(byDeadline)} cut at --dns-tcp-idle-timeout (10s) after their first byte, ${stillOpen} left open; ` +
        `other clients meanwhile: UDP ${probes.udpOk}/${probes.udp}, new TCP ${probes.tcpOk}/${probes.tcp} answered`,
      measured:
        `lived p50 ${s1(quantile(lifetimes, 0.5))} s, max ${s1(Math.max(...lifetimes))} s; all closed ${s1(allClosedMs)} s after the first; ` +
        `RSS ${mb(rssBefore)} → peak ${mb(rss.peak())} → ${mb(rssAfter)} MB (3 s after)`,
      problems,
    };
  } finally {
    await cairn.stop();
  }
}
