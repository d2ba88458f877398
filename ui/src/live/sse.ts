// Server-sent events read from a fetch() body (EventSource cannot sign its request): splits the stream
// into events by blank lines and collects each one's event, id and data fields.
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/** Calls `onEvent` for each event until the stream ends (resolves) or fails or is aborted (rejects). */
export async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (e: SseEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event: Partial<SseEvent> & { data?: string } = {};
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (event.data !== undefined) onEvent({ event: event.event ?? 'message', id: event.id, data: event.data });
        event = {};
        continue;
      }
      if (line.startsWith(':')) continue; // a comment: the server's keep-alive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const text = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
      if (field === 'data') event.data = event.data === undefined ? text : `${event.data}\n${text}`;
      else if (field === 'event') event.event = text;
      else if (field === 'id') event.id = text;
    }
  }
}
