// The reference for the discovery benchmark, run as its own process: a bare fastify app whose POST
// /<case> parses the JSON body and returns a JSON object (serialised by fastify per request) — the same
// object cairn returned for that case, so the bodies have the same size.
//   npx node bench/lib/bare-route.ts <port> <bodies.json>     (bodies.json: { "<case>": <object>, ... })
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [portArg, file] = process.argv.slice(2);
if (!portArg || !file) {
  process.stderr.write('usage: bare-route.ts PORT BODIES.json\n');
  process.exit(2);
}
const bodies = JSON.parse(readFileSync(file, 'utf8')) as Record<string, object>;
const app = Fastify({ logger: false });
app.addContentTypeParser('application/x-amz-json-1.1', { parseAs: 'string' }, (_req, body, done) => {
  try {
    done(null, JSON.parse(body as string));
  } catch (e) {
    done(e as Error, undefined);
  }
});
app.post<{ Params: { name: string } }>('/:name', async (request, reply) => {
  const body = bodies[request.params.name];
  if (!body) return reply.code(404).send({ message: 'no such case' });
  return body;
});
await app.listen({ host: '127.0.0.1', port: Number(portArg) });
process.stdout.write(`listening on ${portArg}\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
