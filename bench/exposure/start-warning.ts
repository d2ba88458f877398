// Row 7 of the probe: `npm start` as on a fresh clone (only the ports changed, so it does not collide
// with anything on 8080/8053): what it listens on and what it says about it; and that each of the two
// ways to lock it down silences the warning.
import { repoRoot, startCairn } from '../lib/cairn.ts';
import { freePort } from '../lib/ports.ts';
import { start, waitFor, type Proc } from '../lib/proc.ts';
import { cleanEnv, logLines, WARN, type LogLine, type ProbeResult } from './common.ts';

const warned = (lines: LogLine[]): LogLine | undefined => lines.find((l) => l.level === WARN && l.msg.includes('without --credentials'));

/** The log lines up to "cairn is serving" (it comes through a pipe, possibly after /healthz answers). */
function servingLog(proc: Proc): Promise<LogLine[]> {
  return waitFor(
    'the "cairn is serving" line',
    async () => {
      const lines = logLines(proc.log());
      return lines.some((l) => l.msg === 'cairn is serving') ? lines : undefined;
    },
    60_000,
    proc,
  );
}

export async function startWarning(): Promise<ProbeResult> {
  const problems: string[] = [];
  const apiPort = await freePort();
  const dnsPort = await freePort();
  const proc = start('row7-npm-start', 'npm', ['start', '--', '--api-port', String(apiPort), '--dns-port', String(dnsPort)], {
    env: cleanEnv(),
    cwd: repoRoot,
  });
  let warning: LogLine | undefined;
  let listens: string;
  try {
    const lines = await servingLog(proc);
    warning = warned(lines);
    const api = lines.find((l) => l.msg === 'cairn is serving')?.api;
    listens = typeof api === 'string' ? api : '?';
  } finally {
    await proc.stop();
  }
  if (!warning) problems.push('npm start printed no warning');
  else if (!warning.msg.includes(`0.0.0.0:${apiPort}`)) problems.push(`the warning does not name 0.0.0.0:${apiPort}`);

  // The two ways out: loopback only, or signatures required.
  const loopback = await startCairn({ name: 'row7-loopback' });
  const loopbackWarns = warned(await servingLog(loopback.proc)) !== undefined;
  await loopback.stop();
  const signed = await startCairn({
    name: 'row7-credentials',
    extraFlags: ['--api-host', '0.0.0.0', '--credentials', 'AKIDEXPOSURE:a-long-random-secret'],
  });
  const signedWarns = warned(await servingLog(signed.proc)) !== undefined;
  await signed.stop();
  if (loopbackWarns) problems.push('--api-host 127.0.0.1 still warns');
  if (signedWarns) problems.push('--credentials still warns');
  return {
    row: '7',
    sent: '`npm start` on a fresh clone (ports changed only)',
    now: `API on ${listens}, with the warning (level warn) "${warning?.msg ?? '(none)'}"`,
    measured: `no warning with --api-host 127.0.0.1: ${loopbackWarns ? 'no, it warns' : 'yes'}; none with --credentials on 0.0.0.0: ${signedWarns ? 'no, it warns' : 'yes'}`,
    problems,
  };
}
