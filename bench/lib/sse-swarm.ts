// Thousands of server-sent event streams from one process, for bench/watch.ts (which forks it with IPC):
// raw node:net sockets, each sending one GET and then only looking for `id: N` lines, so a stream
// costs the client a read and a byte search per event. Stamps arrivals on the wall clock
// (performance.timeOrigin + now) so the parent compares them with the moment it made the change.
import { connect, type Socket } from 'node:net';

export type SwarmRequest =
  | { op: 'open'; port: number; paths: string[]; concurrency: number }
  | { op: 'wait'; path: string; revision: number; expected: number; timeoutMs: number }
  | { op: 'close' };

export type SwarmReply =
  | { op: 'opened'; streams: number; failed: number; ms: number }
  | { op: 'arrived'; count: number; first: number; last: number }
  | { op: 'closed' };

const wallClock = (): number => performance.timeOrigin + performance.now();
const ID = Buffer.from('\nid: ');

/** Per path (one per watched service) and revision: how many streams saw the event, first and last arrival. */
const arrivals = new Map<string, { count: number; first: number; last: number }>();
const sockets: Socket[] = [];
let snapshots = 0;

function record(path: string, revision: number, at: number): void {
  const key = `${path} ${revision}`;
  const a = arrivals.get(key);
  if (!a) arrivals.set(key, { count: 1, first: at, last: at });
  else {
    a.count++;
    if (at < a.first) a.first = at;
    if (at > a.last) a.last = at;
  }
}

function stream(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let tail: Buffer = Buffer.alloc(0);
    let started = false;
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: cairn\r\nAccept: text/event-stream\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      const at = wallClock();
      // An `id:` line split across reads is found with the last bytes of the previous read in front.
      const buf = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
      let i = buf.indexOf(ID);
      while (i >= 0) {
        const start = i + ID.length;
        const end = buf.indexOf(0x0a, start);
        if (end < 0) break;
        const revision = Number(buf.toString('latin1', start, end));
        if (!started) {
          started = true;
          snapshots++;
          resolve(true);
        } else record(path, revision, at);
        i = buf.indexOf(ID, end);
      }
      tail = buf.subarray(Math.max(0, buf.length - 64));
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
    sockets.push(socket);
  });
}

async function open(port: number, paths: string[], concurrency: number): Promise<SwarmReply> {
  const t0 = performance.now();
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const k = next++;
      if (!(await stream(port, paths[k]!))) failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { op: 'opened', streams: snapshots, failed, ms: performance.now() - t0 };
}

async function wait(path: string, revision: number, expected: number, timeoutMs: number): Promise<SwarmReply> {
  const deadline = Date.now() + timeoutMs;
  const key = `${path} ${revision}`;
  if (expected === 0) return { op: 'arrived', count: 0, first: NaN, last: NaN };
  for (;;) {
    const a = arrivals.get(key);
    if ((a && a.count >= expected) || Date.now() > deadline) {
      arrivals.delete(key);
      return { op: 'arrived', count: a?.count ?? 0, first: a?.first ?? NaN, last: a?.last ?? NaN };
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

process.on('message', (m: SwarmRequest) => {
  const reply = (r: SwarmReply): void => {
    process.send?.(r);
  };
  if (m.op === 'open') void open(m.port, m.paths, m.concurrency).then(reply);
  else if (m.op === 'wait') void wait(m.path, m.revision, m.expected, m.timeoutMs).then(reply);
  else {
    for (const s of sockets) s.destroy();
    reply({ op: 'closed' });
    process.exit(0);
  }
});
