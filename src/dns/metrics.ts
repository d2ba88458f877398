// The DNS server's metric families, read from its counts when scraped (docs/dns.md, "Metrics"): nothing
// on the path of a query touches prom-client.
import { Counter, Gauge, type Registry } from 'prom-client';
import { registerBucketedHistogram } from '../model/bucketed-histogram.ts';
import { FORWARD_RESULTS, type DnsCounts } from './serve/index.ts';

export function registerDnsMetrics(registry: Registry, counts: DnsCounts, tcpConnections: () => number): void {
  new Counter({
    name: 'cairn_dns_queries_total',
    help: 'DNS queries answered, by transport, QTYPE and the RCODE of the answer (mnemonics; OTHER for the rest)',
    labelNames: ['transport', 'qtype', 'rcode'],
    registers: [registry],
    collect() {
      this.reset();
      counts.forEachAnswerCount((transport, qtype, rcode, n) => this.inc({ transport, qtype, rcode }, n));
    },
  });
  registerBucketedHistogram(registry, {
    name: 'cairn_dns_response_seconds',
    help: 'Time from reading a DNS query to handing its answer to the socket; the queries of one UDP batch (up to 64 datagrams) share the batch time',
    read: () => [[{}, counts.times]],
  });
  new Counter({
    name: 'cairn_dns_forwarded_total',
    help: 'Questions sent on to the upstream resolvers (forwarded queries and alias lookups): answered, unanswered (every upstream failed or timed out), overloaded (refused at once: --upstream-max-inflight)',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      FORWARD_RESULTS.forEach((result, i) => this.inc({ result }, counts.forwarded[i]));
    },
  });
  new Gauge({
    name: 'cairn_dns_tcp_connections',
    help: 'DNS TCP connections open now',
    registers: [registry],
    collect() {
      this.set(tcpConnections());
    },
  });
}
