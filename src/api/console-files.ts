// The web console's built files (npm ci builds them into dist/ui), served from memory under /ui with a
// strict Content-Security-Policy: everything the page loads comes from cairn itself.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Scripts, styles, data and images only from this origin; no inline script, no frames, no plugins. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
};
const MAX_FILES = 64;
const MAX_FILE_BYTES = 4 * 1024 * 1024;

interface ConsoleFile {
  body: Buffer;
  type: string;
  etag: string;
  /** A name with a content hash never changes: it may be cached for good. */
  immutable: boolean;
}

/** Reads the built console once; an empty map when it was not built. */
export function loadConsoleFiles(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  if (!existsSync(join(dir, 'index.html'))) return files;
  for (const name of readdirSync(dir).slice(0, MAX_FILES)) {
    const ext = /^[\w.-]+\.(\w+)$/.exec(name)?.[1];
    const type = ext === undefined ? undefined : TYPES[ext];
    const path = join(dir, name);
    if (type === undefined || !statSync(path).isFile() || statSync(path).size > MAX_FILE_BYTES) continue;
    const body = readFileSync(path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    files.set(name, { body, type, etag, immutable: /-[A-Z0-9]{8,}\.\w+$/.test(name) });
  }
  return files;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>cairn console</title>
<h1>The console is not built</h1>
<p>Its files are made by <code>npm ci</code>; after changing them, run <code>npm run build:ui</code> and restart cairn.
The Cloud Map API and DNS work without it.</p>`;

/** GET /ui (the page) and GET /ui/<file> (its scripts and styles). */
export function serveConsoleFiles(app: FastifyInstance, files: Map<string, ConsoleFile>): void {
  const send = (reply: FastifyReply, file: ConsoleFile, ifNoneMatch: string | undefined): FastifyReply => {
    secure(reply).header('etag', file.etag);
    reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (ifNoneMatch === file.etag) return reply.code(304).send();
    return reply.type(file.type).send(file.body);
  };
  const page = async (request: { headers: Record<string, string | string[] | undefined> }, reply: FastifyReply) => {
    const index = files.get('index.html');
    if (!index) return secure(reply).code(503).header('cache-control', 'no-store').type(TYPES.html!).send(NOT_BUILT);
    return send(reply, index, header(request.headers['if-none-match']));
  };
  app.get('/ui', page);
  app.get('/ui/', page);
  app.get<{ Params: { file: string } }>('/ui/:file', async (request, reply) => {
    const file = files.get(request.params.file);
    if (!file) return secure(reply).code(404).header('cache-control', 'no-store').type('text/plain').send('Not found');
    return send(reply, file, header(request.headers['if-none-match']));
  });
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}

const header = (v: string | string[] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
