// Free loopback ports: a TCP port that is free for UDP too (DNS servers need both); and the flags that put
// a replica on them. Imports nothing with side effects, so tests may use it.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const handedOut = new Set<number>();

/**
 * Where to look for a port: below the kernel's ephemeral range where there is room. A port the OS picked
 * (bind to 0) is one it hands out again as the local port of any outgoing connection, so between the
 * check and the server's own bind a client elsewhere in the run could take it; below the range only a
 * program that asks for that very port can. Elsewhere (no /proc, a low range), the OS picks.
 */
function candidateRange(): [number, number] | undefined {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? [10_000, low - 1] : undefined;
  } catch {
    return undefined;
  }
}
const range = candidateRange();
const candidate = (): number => (range ? range[0] + Math.floor(Math.random() * (range[1] - range[0] + 1)) : 0);

/** Listens on `port` (0: the OS picks) over TCP and closes again: the port, or undefined when taken. */
function tcpPort(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const bound = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolve(bound));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port free on 127.0.0.1 for both TCP and UDP, never handed out twice in this run. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await tcpPort(candidate());
    if (port === undefined || handedOut.has(port) || !(await udpFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found on 127.0.0.1');
}

/** The flags that put a replica's API and DNS on 127.0.0.1 at these ports (0: the OS picks one). */
export function loopbackFlags(apiPort = 0, dnsPort = 0): string[] {
  return ['--api-host', '127.0.0.1', '--api-port', String(apiPort), '--dns-host', '127.0.0.1', '--dns-port', String(dnsPort)];
}
