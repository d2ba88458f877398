// Another node process's V8 heap, through the inspector it was started with (--inspect=127.0.0.1:0): a full
// collection, and the heap that is live after it, so memory is compared after a collection, not at
// whatever point V8 reached.

/** The inspector's WebSocket URL from the process's log ("Debugger listening on ws://..."). */
export function inspectorUrl(log: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(log)?.[1];
}

/** Sends the methods one after another over one connection; resolves with the last one's result. */
function inspect(url: string, methods: string[], timeoutMs: number): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`no answer from the inspector within ${timeoutMs} ms`));
    }, timeoutMs);
    const send = (i: number): void => ws.send(JSON.stringify({ id: i + 1, method: methods[i] }));
    ws.onopen = () => send(0);
    ws.onmessage = (m: MessageEvent) => {
      const reply = JSON.parse(String(m.data)) as { id?: number; result?: Record<string, unknown> };
      if (reply.id === undefined) return; // an event, not an answer
      if (reply.id < methods.length) {
        send(reply.id);
        return;
      }
      clearTimeout(timer);
      ws.close();
      resolve(reply.result);
    };
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`cannot reach the inspector at ${url}`));
    };
  });
}

/** A full garbage collection, done when this resolves. */
export async function collectGarbage(url: string, timeoutMs = 30_000): Promise<void> {
  await inspect(url, ['HeapProfiler.collectGarbage'], timeoutMs);
}

/** Collects garbage, then returns the heap's used bytes (Runtime.getHeapUsage). */
export async function liveHeapBytes(url: string, timeoutMs = 60_000): Promise<number> {
  const result = await inspect(url, ['HeapProfiler.collectGarbage', 'Runtime.getHeapUsage'], timeoutMs);
  const used = result?.usedSize;
  return typeof used === 'number' ? used : NaN;
}
