// The HTTP server's resource bounds: how long a request may take to arrive, how long an idle keep-alive
// connection stays open, how many connections are open at once; and the AWS-shaped answer to a client
// the server cuts off or cannot parse.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { CloudMapError, SerializationException } from '../model/errors.ts';
import { errorBody, JSON_TYPE } from './aws-json.ts';

export interface HttpBounds {
  /** A whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (requestTimeoutMs when that is shorter). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; beyond it a new connection is closed as soon as it is accepted. */
  maxConnections: number;
}

export const defaultHttpBounds: HttpBounds = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
};

/**
 * Node applies the request and headers timeouts only when it sweeps its connections (every 30 s by
 * default), so a slow client could outlive its limit by that much; sweep often enough to cut it within
 * a quarter of the shorter limit, and at least every second.
 */
export function sweepIntervalMs(b: HttpBounds): number {
  return Math.max(100, Math.min(1000, Math.floor(Math.min(b.requestTimeoutMs, b.headersTimeoutMs) / 4)));
}

/** The fastify options that carry the bounds to its node:http server. */
export function httpServerOptions(b: HttpBounds): {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
  clientErrorHandler: typeof answerClientError;
} {
  return {
    requestTimeout: b.requestTimeoutMs,
    keepAliveTimeout: b.keepAliveTimeoutMs,
    http: {
      requestTimeout: b.requestTimeoutMs,
      headersTimeout: Math.min(b.headersTimeoutMs, b.requestTimeoutMs), // node refuses a longer one
      keepAliveTimeout: b.keepAliveTimeoutMs,
      connectionsCheckingInterval: sweepIntervalMs(b),
    },
    clientErrorHandler: answerClientError,
  };
}

function clientError(err: NodeJS.ErrnoException): CloudMapError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new CloudMapError('RequestTimeoutException', 'The request did not arrive in time', 408);
  if (err.code === 'HPE_HEADER_OVERFLOW') return new CloudMapError('SerializationException', 'The request headers are too large', 431);
  return new SerializationException('The request is not valid HTTP');
}

/** A request Node could not read (malformed, too slow): an AWS error, then the connection is closed. */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error = clientError(err);
  const body = errorBody(error);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\nContent-Type: ${JSON_TYPE}\r\nx-amzn-ErrorType: ${error.code}\r\n` +
        `x-amzn-RequestId: ${randomUUID()}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Caps the connections; refusals are logged at most once a minute, so a flood does not flood the log. */
export function capConnections(server: Server, max: number, log: FastifyBaseLogger): void {
  server.maxConnections = max;
  let lastWarned = -Infinity;
  server.on('drop', () => {
    const now = Date.now();
    if (now - lastWarned < 60_000) return;
    lastWarned = now;
    log.warn({ maxConnections: max }, 'the API is at --api-max-connections: new connections are refused');
  });
}
