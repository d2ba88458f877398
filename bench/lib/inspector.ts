// The V8 heap of another node process, through the inspector it was started with
// (--inspect=127.0.0.1:0): a full collection first, so the number is what is live, not what V8 left.

/** The inspector's WebSocket URL from the process's log ("Debugger listening on ws://..."). */
export function inspectorUrl(log: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(log)?.[1];
}

/** Collects garbage, then returns the heap's used bytes (Runtime.getHeapUsage). */
export function liveHeapBytes(url: string, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`no answer from the inspector within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    ws.onmessage = (m: MessageEvent) => {
      const reply = JSON.parse(String(m.data)) as { id?: number; result?: { usedSize?: number } };
      if (reply.id === 1) ws.send(JSON.stringify({ id: 2, method: 'Runtime.getHeapUsage' }));
      if (reply.id !== 2) return;
      clearTimeout(timer);
      ws.close();
      resolve(reply.result?.usedSize ?? NaN);
    };
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`cannot reach the inspector at ${url}`));
    };
  });
}
