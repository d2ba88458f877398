// A full garbage collection in another node process, through the inspector it was started with
// (--inspect=127.0.0.1:0): memory is compared after a collection, not at whatever point V8 reached.
/** The inspector's WebSocket URL from the process's log ("Debugger listening on ws://..."). */
export function inspectorUrl(log: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(log)?.[1];
}

/** Asks for HeapProfiler.collectGarbage and waits until it is done. */
export function collectGarbage(url: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`no answer from the inspector within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    ws.onmessage = (m: MessageEvent) => {
      if ((JSON.parse(String(m.data)) as { id?: number }).id !== 1) return;
      clearTimeout(timer);
      ws.close();
      resolve();
    };
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`cannot reach the inspector at ${url}`));
    };
  });
}
