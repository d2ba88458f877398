// The console's reading of /metrics (ui/src/metrics/prometheus.ts): samples of one family with their labels.
import { describe, expect, it } from 'vitest';
import { samplesOf } from '../../ui/src/metrics/prometheus.ts';

const text = `# HELP cairn_dns_queries_total DNS queries answered
# TYPE cairn_dns_queries_total counter
cairn_dns_queries_total{transport="udp",qtype="A",rcode="NOERROR"} 12
cairn_dns_queries_total{transport="tcp",qtype="A",rcode="NXDOMAIN"} 3 1700000000000
cairn_dns_queries_total_extra{rcode="NOERROR"} 99
cairn_dns_queries_total{transport="udp",qtype="TXT",rcode="say \\"hi\\", ok"} 1e3
cairn_api_requests_total{operation="ListNamespaces",code="200"} 5
`;

describe('samplesOf', () => {
  it('reads every sample of the family, labels unescaped, and nothing of another family', () => {
    expect(samplesOf(text, 'cairn_dns_queries_total')).toEqual([
      { labels: { transport: 'udp', qtype: 'A', rcode: 'NOERROR' }, value: 12 },
      { labels: { transport: 'tcp', qtype: 'A', rcode: 'NXDOMAIN' }, value: 3 },
      { labels: { transport: 'udp', qtype: 'TXT', rcode: 'say "hi", ok' }, value: 1000 },
    ]);
    expect(samplesOf(text, 'cairn_missing')).toEqual([]);
  });
});
