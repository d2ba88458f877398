// A server-sent events client for tests, over node:http (as `curl -N` reads a stream): the status and
// headers, then every event and comment as it arrives, parsed by eventsource-parser.
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface WatchInstance {
  InstanceId: string;
  NamespaceName: string;
  ServiceName: string;
  HealthStatus: string;
  Attributes: Record<string, string>;
}

export interface WatchEvent {
  id: string | undefined;
  event: string | undefined;
  data: {
    namespace: string;
    service: string;
    revision: number;
    instances: WatchInstance[];
    changes: { type: string; instanceId: string; healthStatus?: string }[];
  };
}

export class SseClient {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly events: WatchEvent[] = [];
  readonly comments: string[] = [];
  /** The body as text: the error when the answer is not a stream, else every byte of the stream. */
  body = '';
  ended = false;
  private read = 0;
  private readonly res: IncomingMessage;
  private wake: (() => void) | undefined;

  private constructor(res: IncomingMessage) {
    this.res = res;
    this.status = res.statusCode ?? 0;
    this.headers = res.headers;
    const parser = createParser({
      onEvent: (m: EventSourceMessage) => {
        this.events.push({ id: m.id, event: m.event, data: JSON.parse(m.data) as WatchEvent['data'] });
        this.poke();
      },
      onComment: (c) => {
        this.comments.push(c.trim());
        this.poke();
      },
    });
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.body += chunk;
      if (this.status === 200) parser.feed(chunk);
    });
    res.on('close', () => {
      this.ended = true;
      this.poke();
    });
  }

  /** Opens the stream; resolves when the response headers arrive. */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) =>
        resolve(new SseClient(res)),
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** The next event not yet returned, waiting up to `ms` for it. */
  async next(ms = 5000): Promise<WatchEvent> {
    const deadline = Date.now() + ms;
    while (this.read >= this.events.length) {
      if (this.ended) throw new Error(`the stream ended; events so far: ${JSON.stringify(this.events.map((e) => e.id))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${ms} ms (${this.events.length} read)`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
    return this.events[this.read++]!;
  }

  /** Waits until the server ends the stream. */
  async closed(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error(`the stream is still open after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Events received but not yet returned by next(). */
  get unread(): number {
    return this.events.length - this.read;
  }

  close(): void {
    this.res.destroy();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
