// Checks that two DNS servers give the same answers to a sample of the benchmark's queries (records
// compared as sets: order and TTL aside), so a speed ratio compares like with like.
import { DnsClient, type DnsAnswer } from './dns-client.ts';
import type * as packet from 'dns-packet';

export type Fingerprints = Map<string, string>;

function fingerprint(a: DnsAnswer): string {
  const set = (rrs: { name: string; type: string; data: string }[]): string =>
    rrs
      .map((r) => `${r.name} ${r.type} ${r.data}`)
      .sort()
      .join(', ');
  return `${a.rcode} aa=${a.aa} tc=${a.tc} | ${set(a.answers)} | auth: ${a.authorities
    .map((r) => r.type)
    .sort()
    .join(',')} | add: ${set(a.additionals)}`;
}

/** Answers to the first `n` lines of a query file, by line. */
export async function sampleAnswers(port: number, queries: string, n = 200): Promise<Fingerprints> {
  const client = new DnsClient(port);
  const out: Fingerprints = new Map();
  try {
    for (const line of queries.split('\n').filter(Boolean).slice(0, n)) {
      const [name, type] = line.split(' ') as [string, packet.RecordType];
      out.set(line, fingerprint(await client.query(name, type, 2000)));
    }
  } finally {
    client.close();
  }
  return out;
}

/** undefined when they agree, otherwise a short description of the first difference. */
export function differences(expected: Fingerprints, actual: Fingerprints): string | undefined {
  let n = 0;
  let first: string | undefined;
  for (const [q, fp] of expected) {
    if (actual.get(q) === fp) continue;
    n++;
    first ??= `${q}\n    reference: ${fp}\n    this:      ${actual.get(q) ?? '(no answer)'}`;
  }
  return n === 0 ? undefined : `${n} of ${expected.size} sampled answers differ; first: ${first}`;
}
