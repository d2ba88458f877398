// The Docker CLI and a one-shot DNS query, for the container tests and the agent benchmark: a real engine,
// driven the way a person would drive it, and answers read from the wire.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import dnsPacket, { type Packet } from 'dns-packet';

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker <args>`; never throws for an exit code (see dockerOk). */
export function docker(
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; command?: string } = {},
): Promise<DockerResult> {
  return new Promise((resolve) => {
    execFile(
      options.command ?? 'docker',
      args,
      { timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, env: options.env ?? process.env, cwd: options.cwd },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr: err !== null && typeof err.code !== 'number' ? `${stderr}${err.message}` : stderr });
      },
    );
  });
}

/** Runs `docker <args>` and returns its trimmed output; throws with its stderr when it fails. */
export async function dockerOk(args: string[], options: Parameters<typeof docker>[1] = {}): Promise<string> {
  const r = await docker(args, options);
  if (r.code !== 0)
    throw new Error(`${options.command ?? 'docker'} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout.trim();
}

/** The container's IPv4 address on a network. */
export async function containerIp(container: string, network: string): Promise<string> {
  const ip = await dockerOk(['inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container]);
  if (ip === '') throw new Error(`${container} has no address on ${network}`);
  return ip;
}

/** Removes every container, network and volume that carries the label (KEY=VALUE), then the images given. */
export async function sweep(label: string, images: string[] = []): Promise<void> {
  const ids = (await dockerOk(['ps', '-aq', '--filter', `label=${label}`])).split('\n').filter((s) => s !== '');
  if (ids.length > 0) await docker(['rm', '-f', '-v', ...ids]);
  const nets = (await dockerOk(['network', 'ls', '-q', '--filter', `label=${label}`])).split('\n').filter((s) => s !== '');
  if (nets.length > 0) await docker(['network', 'rm', ...nets]);
  const vols = (await dockerOk(['volume', 'ls', '-q', '--filter', `label=${label}`])).split('\n').filter((s) => s !== '');
  if (vols.length > 0) await docker(['volume', 'rm', '-f', ...vols]);
  if (images.length > 0) await docker(['rmi', '-f', ...images]);
}

export type DnsReply = Packet & { rcode?: string };

/** One UDP query to server:port; null when nothing answers within timeoutMs. */
export function dnsQuery(server: string, port: number, name: string, type = 'A', timeoutMs = 500): Promise<DnsReply | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const id = Math.floor(Math.random() * 65536);
    const done = (reply: DnsReply | null) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('error', () => done(null));
    socket.on('message', (msg) => {
      try {
        const p = dnsPacket.decode(msg) as DnsReply;
        if (p.id === id) done(p);
      } catch {
        // not an answer to read: keep waiting
      }
    });
    socket.send(
      dnsPacket.encode({ id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A' }] }),
      port,
      server,
    );
  });
}

/** The A records of an answer, as addresses. */
export const aRecords = (reply: DnsReply | null): string[] =>
  (reply?.answers ?? []).filter((a) => a.type === 'A').map((a) => (a as { data: string }).data);
