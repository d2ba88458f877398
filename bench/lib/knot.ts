// Knot DNS as the reference server: a config and a zone file written from the benchmark data into a
// temporary directory, knotd run in the foreground as the current user on a free port.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from './dataset.ts';
import { zoneFile } from './dataset.ts';
import { freePort } from './ports.ts';
import { scratchDir, start, waitFor, type Proc } from './proc.ts';
import { dnsQuery } from './dns-client.ts';
import { tool } from './tools.ts';

export interface DnsServer {
  name: string;
  port: number;
  proc: Proc;
  stop(): Promise<void>;
}

export async function startKnot(d: Dataset, cpu: number | undefined): Promise<DnsServer> {
  const port = await freePort();
  const dir = join(scratchDir(), `knot-${port}`);
  mkdirSync(join(dir, 'db'), { recursive: true });
  writeFileSync(join(dir, `${d.namespace}.zone`), zoneFile(d));
  // One UDP worker: the server gets one core, like cairn (a single Node.js thread).
  writeFileSync(
    join(dir, 'knot.conf'),
    [
      'server:',
      `    listen: 127.0.0.1@${port}`,
      `    rundir: ${dir}`,
      '    udp-workers: 1',
      '    tcp-workers: 1',
      '    background-workers: 1',
      'log:',
      '  - target: stderr',
      '    any: error',
      'database:',
      `    storage: ${join(dir, 'db')}`,
      'template:',
      '  - id: default',
      `    storage: ${dir}`,
      '    semantic-checks: off',
      '    zonefile-sync: -1',
      '    zonefile-load: whole',
      '    journal-content: none',
      'zone:',
      `  - domain: ${d.namespace}`,
      `    file: ${d.namespace}.zone`,
      '',
    ].join('\n'),
  );
  const proc = start('knotd', tool('knotd'), ['-c', join(dir, 'knot.conf')], { cpu });
  // Ready when the zone answers (loading a large zone takes a moment after the socket opens).
  await waitFor(
    `knotd to serve ${d.namespace}`,
    async () => {
      const res = await dnsQuery(port, d.namespace, 'SOA', 300);
      return res.rcode === 'NOERROR' && res.answers.length > 0 ? true : undefined;
    },
    120_000,
    proc,
  );
  return { name: 'knot', port, proc, stop: () => proc.stop() };
}
