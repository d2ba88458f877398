// Real listeners for health check tests: a TCP server that can be closed and reopened on its port, and an
// HTTP/HTTPS server whose status can be switched; both record what reached them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually.ts';

const listen = (server: NetServer, port: number, host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });

const closeAll = (server: NetServer, sockets: Set<Socket>): Promise<void> =>
  new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });

export interface TcpListener {
  host: string;
  port: number;
  /** Times (ms) at which connections arrived. */
  hits: number[];
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
}

/**
 * A TCP listener on `host` (any 127.x address works on Linux, so instances can be told apart in DNS) that
 * stamps its hits with `now` (a test clock's, when the checks run on one).
 */
export async function tcpListener(host = '127.0.0.1', now: () => number = Date.now): Promise<TcpListener> {
  const sockets = new Set<Socket>();
  const hits: number[] = [];
  const make = (): NetServer =>
    createTcpServer((socket) => {
      hits.push(now());
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
      socket.end();
    });
  let server = make();
  let open = true;
  const port = await listen(server, 0, host);
  return {
    host,
    port,
    hits,
    close: async () => {
      if (open) {
        open = false;
        await closeAll(server, sockets);
      }
    },
    reopen: async () => {
      server = make();
      await listen(server, port, host);
      open = true;
    },
  };
}

export interface SeenRequest {
  at: number;
  method: string;
  url: string;
  host: string;
}

export interface HttpListener {
  host: string;
  port: number;
  /** The status every request gets; switch it at will. */
  status: number;
  /** When set, requests are held this long before the answer (to exceed the probe timeout). */
  delayMs: number;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function httpListener(tls?: { key: string; cert: string }, host = '127.0.0.1'): Promise<HttpListener> {
  const sockets = new Set<Socket>();
  const state: HttpListener = { host, port: 0, status: 200, delayMs: 0, requests: [], close: async () => undefined };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    state.requests.push({ at: Date.now(), method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '' });
    const answer = (): void => {
      res.statusCode = state.status;
      res.end('ok');
    };
    if (state.delayMs > 0) setTimeout(answer, state.delayMs);
    else answer();
  };
  const server: HttpServer = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  state.port = await listen(server, 0, host);
  let open = true;
  state.close = async () => {
    if (open) {
      open = false;
      await closeAll(server, sockets);
    }
  };
  return state;
}

/** A throwaway self-signed certificate for 127.0.0.1 (openssl in a temp dir, removed at once). */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=cairn-test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 10): Promise<T> {
  return eventually(
    async () => {
      const v = await check();
      if (v === undefined) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
      return v;
    },
    timeoutMs,
    everyMs,
  );
}
