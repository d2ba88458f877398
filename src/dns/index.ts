// The DNS server's public surface: start it on a catalog with the configuration, stop it.
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.ts';
import type { Config } from '../config.ts';
import { Forwarder } from './forward.ts';
import { Responder } from './respond.ts';
import { listen } from './server.ts';
import { Views } from './views.ts';
import { Zones } from './zones.ts';

export interface DnsServer {
  /** Where UDP and TCP listen (the port resolved when 0 was asked for). */
  address: { host: string; port: number };
  /** How UDP is read and written: batched through the native addon, or node:dgram. */
  udpIo: 'batched' | 'dgram';
  zones: Zones;
  stop(): Promise<void>;
}

export interface DnsOptions {
  /** Random numbers in [0,1) for record selection (default Math.random). */
  random?: () => number;
}

export async function startDns(config: Config, catalog: Catalog, log: Logger, options: DnsOptions = {}): Promise<DnsServer> {
  const views = new Views(config.vpc, config.recursionCidr, config.upstream.length > 0);
  const zones = new Zones(
    {
      defaultSoaTtl: config.dnsDefaultSoaTtl,
      nsNames: config.dnsNsNames,
      nsAddresses: config.dnsNsAddresses ?? [],
      soaRname: config.dnsSoaRname,
      nsTtl: config.dnsNsTtl,
    },
    log,
    (vpc) => views.configured(vpc),
  );
  // Listen before the first build so no change can slip between them; every change is applied to the
  // zones synchronously, before the writer that made it returns.
  const unlisten = catalog.listen({
    changed: (change, c) => {
      try { zones.changed(change, c); } catch (err) { log.error({ err, revision: change.revision }, 'dns index update failed; rebuilding'); zones.reset(c); }
    },
    reset: (c) => zones.reset(c),
  });
  zones.reset(catalog);

  const forwarder = config.upstream.length > 0 ? new Forwarder(config.upstream, config.upstreamTimeout, config.dnsMaxUdpPayload) : undefined;
  const responder = new Responder({ zones, views, forwarder, maxPayload: config.dnsMaxUdpPayload, ...(options.random ? { random: options.random } : {}) });
  let sockets;
  try {
    sockets = await listen({
      host: config.dnsHost,
      port: config.dnsPort,
      tcpIdleTimeoutMs: config.dnsTcpIdleTimeout,
      tcpMaxConnections: config.dnsTcpMaxConnections,
      tcpMaxPending: config.dnsTcpMaxPending,
      udpIo: config.dnsUdpIo,
      handler: (msg, address, transport) => responder.respond(msg, address, transport),
      log,
    });
  } catch (e) {
    unlisten();
    throw e;
  }
  const s = sockets;
  log.info({ dns: `${s.host}:${s.port}`, udpIo: s.udpIo, zones: zones.size }, 'dns is serving');
  return {
    address: { host: s.host, port: s.port },
    udpIo: s.udpIo,
    zones,
    stop: async () => {
      unlisten();
      forwarder?.close();
      await s.close();
    },
  };
}
