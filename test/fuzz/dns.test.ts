// Property tests of the DNS listeners against a real server: any datagram or TCP byte stream gets a
// well-formed reply or silence, the server logs no handler failure, and it still answers a known query.
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { properties, runParameters, type FuzzTarget } from '../../bench/fuzz/properties.ts';
import type { TestServer } from '../support/server.ts';
import { startFuzzTarget } from './target.ts';

let t: TestServer;
let target: FuzzTarget;
/** The server's error-level log lines: a handler that throws is silent on the wire but logs. */
const errors: string[] = [];

beforeAll(async () => {
  const fuzz = await startFuzzTarget({
    log: pino(
      { level: 'error' },
      {
        write: (line: string) => {
          errors.push(line);
        },
      },
    ),
  });
  t = fuzz.server;
  target = { ...fuzz.target, takeServerErrors: () => errors.splice(0) };
  // Only what the fuzz input causes counts here (a start with --dns-port 0 may log a retried bind).
  errors.length = 0;
});
afterAll(async () => {
  await t.stop();
});

describe('DNS fuzz', () => {
  it('answers any datagrams with a well-formed reply or silence, and then the known query', async () => {
    await fc.assert(properties.udp(target), runParameters(400));
    expect(target.stats.dnsSent).toBeGreaterThan(400);
    expect(target.stats.rcodes.size).toBeGreaterThan(3); // the messages reached several answers, not one kind of refusal
  });

  it('answers any TCP byte stream with well-formed frames or nothing, and then the known query on a new connection', async () => {
    await fc.assert(properties.tcp(target), runParameters(120));
  });
});
