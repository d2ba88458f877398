// The DNS server's public surface: the index of prepared answers (a catalog listener), and the server
// that answers queries from it over UDP and TCP.
import type ipaddr from 'ipaddr.js';
import type { Registry } from 'prom-client';
import type { Catalog, CatalogListener } from '../catalog/index.ts';
import type { VpcConfig } from '../config.ts';
import type { Change } from '../model/changes.ts';
import type { Log } from '../model/log.ts';
import { Zones, type ApexSettings } from './index/index.ts';
import { ClientViews, DnsCounts, Forwarder, listen, Responder, type UdpIo, type Upstream } from './serve/index.ts';
import { registerDnsMetrics } from './metrics.ts';

export interface DnsServer {
  /** Where UDP and TCP listen (the port resolved when 0 was asked for). */
  address: { host: string; port: number };
  /** How UDP is read and written: batched through the native addon, or node:dgram. */
  udpIo: 'batched' | 'dgram';
  stop(): Promise<void>;
}

export interface DnsOptions {
  host: string;
  /** 0: any free port (the same one for UDP and TCP). */
  port: number;
  udpIo: UdpIo;
  /** EDNS payload size advertised and applied. */
  maxUdpPayload: number;
  tcp: { idleTimeoutMs: number; maxConnections: number; maxPending: number };
  /** Which client addresses belong to each VPC: who sees a private namespace. */
  vpcs: VpcConfig[];
  /** Clients that may use forwarding (empty: loopback and the private ranges). */
  recursionCidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  upstreams: Upstream[];
  upstreamTimeoutMs: number;
  /** Forwarded questions (and alias lookups) waiting for upstreams at once; beyond it SERVFAIL. */
  upstreamMaxInflight: number;
  /** What every zone's apex holds. */
  apex: ApexSettings;
  /** Random numbers in [0,1) for record selection (default Math.random). */
  random?: () => number;
  /** Where the DNS metric families are registered (none when not given). */
  metrics?: Registry;
}

/**
 * The catalog turned into prepared answer bytes, one zone per DNS namespace: a catalog listener that the
 * server subscribes, so every change is in the index before the write that made it returns.
 */
export class DnsIndex implements CatalogListener {
  readonly zones: Zones;
  readonly views: ClientViews;
  private readonly log: Log;

  constructor(o: Pick<DnsOptions, 'vpcs' | 'recursionCidrs' | 'upstreams' | 'apex'>, log: Log) {
    this.log = log;
    this.views = new ClientViews(o.vpcs, o.recursionCidrs, o.upstreams.length > 0);
    this.zones = new Zones(o.apex, log, (vpc) => this.views.configured(vpc));
  }

  changed(change: Change, catalog: Catalog): void {
    try {
      this.zones.changed(change, catalog);
    } catch (err) {
      this.log.error({ err, revision: change.revision }, 'dns index update failed; rebuilding');
      this.zones.reset(catalog);
    }
  }

  reset(catalog: Catalog): void {
    this.zones.reset(catalog);
  }
}

/** Binds UDP and TCP and answers from the index. */
export async function startDns(o: DnsOptions, index: DnsIndex, log: Log): Promise<DnsServer> {
  const counts = new DnsCounts();
  const forwarder =
    o.upstreams.length > 0 ? new Forwarder(o.upstreams, o.upstreamTimeoutMs, o.maxUdpPayload, o.upstreamMaxInflight, counts) : undefined;
  const responder = new Responder({
    zones: index.zones,
    views: index.views,
    forwarder,
    maxPayload: o.maxUdpPayload,
    counts,
    ...(o.random ? { random: o.random } : {}),
  });
  const s = await listen({
    host: o.host,
    port: o.port,
    tcpIdleTimeoutMs: o.tcp.idleTimeoutMs,
    tcpMaxConnections: o.tcp.maxConnections,
    tcpMaxPending: o.tcp.maxPending,
    udpIo: o.udpIo,
    handler: (msg, address, transport) => responder.respond(msg, address, transport),
    times: counts.times,
    log,
  });
  if (o.metrics) registerDnsMetrics(o.metrics, counts, () => s.tcpConnections());
  return {
    address: { host: s.host, port: s.port },
    udpIo: s.udpIo,
    stop: async () => {
      forwarder?.close();
      await s.close();
    },
  };
}
