// The API's socket from bind to drain: bound without announcing it (the server says it serves once every
// listener is bound), and drained on stop without failing a request already sent.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ListenError } from '../model/listen-error.ts';

/** Binds the API's port (or the metrics listener's); a failure is a ListenError naming the address. */
export async function bindApi(app: FastifyInstance, host: string, port: number): Promise<{ host: string; port: number }> {
  await app.ready();
  // node:http's own listen: fastify's would log a line per address before the other listeners are bound.
  await new Promise<void>((resolve, reject) => {
    const failed = (e: Error): void => reject(new ListenError(host, port, 'tcp', e));
    app.server.once('error', failed);
    app.server.listen({ host, port }, () => {
      app.server.off('error', failed);
      resolve();
    });
  });
  const address = app.server.address();
  return typeof address === 'object' && address ? { host: address.address, port: address.port } : { host, port };
}

/**
 * How long connections that are open but idle stay open after the listener closes: a request a client
 * wrote just before the stop may not have been read yet, and closing its connection would reset it.
 * Requests that arrive meanwhile are answered with `Connection: close`.
 */
const IDLE_GRACE_MS = 250;

/**
 * Stops accepting connections at once, answers the requests in flight (each answer closes its
 * connection), and cuts whatever is still open after `timeoutMs`. Resolves with whether it had to cut.
 */
export async function drainApi(app: FastifyInstance, timeoutMs: number): Promise<{ cut: boolean }> {
  const server = app.server;
  if (!server.listening) {
    await app.close();
    return { cut: false };
  }
  // net's close, not http's: http's would also close idle connections now, before the grace.
  net.Server.prototype.close.call(server);
  const deadline = Date.now() + timeoutMs;
  const open = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n ?? 0)));
  if (open > 0) await new Promise((r) => setTimeout(r, Math.min(IDLE_GRACE_MS, timeoutMs)));
  let cut = false;
  const timer = setTimeout(
    () => {
      cut = true;
      server.closeAllConnections();
    },
    Math.max(0, deadline - Date.now()),
  );
  try {
    await app.close(); // closes idle connections, waits for the others
  } finally {
    clearTimeout(timer);
  }
  return { cut };
}
