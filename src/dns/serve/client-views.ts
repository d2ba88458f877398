// What a client address may see: the VPCs whose CIDRs contain it (docs/dns.md, "Private namespaces") and
// whether it may use forwarding ("Forwarding"). Results are cached per address string.
import ipaddr from 'ipaddr.js';
import type { VpcConfig } from '../../config.ts';
import { BoundedMap } from '../../model/bounded-map.ts';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface ClientView {
  readonly vpcs: ReadonlySet<string>;
  /** Upstreams are configured and the client is in --recursion-cidr. */
  readonly recursion: boolean;
}

/** Loopback and the private ranges: who may recurse unless --recursion-cidr says otherwise. */
export const DEFAULT_RECURSION_CIDRS = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '::1/128', 'fc00::/7', 'fe80::/10'];

const NOBODY: ClientView = { vpcs: new Set(), recursion: false };
const CACHE_MAX = 4096;

/** Strips the IPv4-mapped prefix and any IPv6 zone (`fe80::1%eth0`). */
export function plainAddress(address: string): string {
  const pct = address.indexOf('%');
  const a = pct >= 0 ? address.slice(0, pct) : address;
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

const inRange = (addr: ipaddr.IPv4 | ipaddr.IPv6, r: Range): boolean => addr.kind() === r[0].kind() && addr.match(r);

export class ClientViews {
  private readonly vpcs: { id: string; ranges: Range[] }[];
  private readonly recursion: Range[];
  private readonly cache = new BoundedMap<string, ClientView>(CACHE_MAX);

  constructor(vpcs: VpcConfig[], recursionCidrs: Range[], hasUpstreams: boolean) {
    this.vpcs = vpcs.map((v) => ({ id: v.id, ranges: v.cidrs.map((c) => ipaddr.parseCIDR(c)) }));
    this.recursion = hasUpstreams
      ? recursionCidrs.length > 0
        ? recursionCidrs
        : DEFAULT_RECURSION_CIDRS.map((c) => ipaddr.parseCIDR(c))
      : [];
  }

  configured(vpcId: string): boolean {
    return this.vpcs.some((v) => v.id === vpcId);
  }

  of(address: string): ClientView {
    // Nothing depends on the address: skip the lookup (the common, fastest case).
    if (this.vpcs.length === 0 && this.recursion.length === 0) return NOBODY;
    let view = this.cache.get(address);
    if (view) return view;
    view = this.compute(address);
    // Source addresses are client-controlled over UDP: keep the cache bounded.
    this.cache.set(address, view);
    return view;
  }

  private compute(address: string): ClientView {
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      addr = ipaddr.process(plainAddress(address));
    } catch {
      return NOBODY;
    }
    const vpcs = new Set(this.vpcs.filter((v) => v.ranges.some((r) => inRange(addr, r))).map((v) => v.id));
    return { vpcs, recursion: this.recursion.some((r) => inRange(addr, r)) };
  }
}
