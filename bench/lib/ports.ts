// Free loopback ports, chosen by the OS: a TCP port that is free for UDP too (DNS servers need both); and
// the flags that put a replica on them. Imports nothing with side effects, so tests may use it.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const handedOut = new Set<number>();

function tcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
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
    const port = await tcpPort();
    if (handedOut.has(port) || !(await udpFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found on 127.0.0.1');
}

/** The flags that put a replica's API and DNS on 127.0.0.1 at these ports (0: the OS picks one). */
export function loopbackFlags(apiPort = 0, dnsPort = 0): string[] {
  return ['--api-host', '127.0.0.1', '--api-port', String(apiPort), '--dns-host', '127.0.0.1', '--dns-port', String(dnsPort)];
}
