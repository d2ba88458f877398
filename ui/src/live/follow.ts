// Follows one service live: the watch stream (GET /v1/watch, server-sent events, signed like every call, so
// read through fetch(): EventSource cannot sign its request) tells of each registration, deregistration and
// health flip. A server without the stream is polled.
import { createParser } from 'eventsource-parser';
import { credentials } from '../net/session.ts';
import { signedFetch } from '../net/signed-fetch.ts';

export type LiveState = 'connecting' | 'following' | 'polling' | 'reconnecting';

export interface Follow {
  stop(): void;
}

const RETRY_MS = 1000;
const POLL_MS = 500;

/**
 * Calls `onChange` whenever the service's instances may have changed (each snapshot and change event),
 * and `onState` as the connection comes and goes, until stop().
 */
export function followService(namespace: string, service: string, onChange: () => void, onState: (s: LiveState) => void): Follow {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = (run: () => void, ms: number): void => {
    if (!abort.signal.aborted) timer = setTimeout(run, ms);
  };

  const poll = (): void => {
    onChange();
    later(poll, POLL_MS);
  };

  const connect = async (): Promise<void> => {
    const query = new URLSearchParams({ namespace, service });
    try {
      const res = await signedFetch(`/v1/watch?${query.toString()}`, { method: 'GET', signal: abort.signal }, credentials());
      if (res.status === 404 && !(res.headers.get('content-type') ?? '').includes('event-stream')) {
        onState('polling'); // this server has no watch stream
        poll();
        return;
      }
      if (!res.ok || !res.body) throw new Error(`watch answered ${res.status}`);
      onState('following');
      const parser = createParser({
        onEvent: (e) => {
          if (e.event === 'snapshot' || e.event === 'change') onChange();
        },
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) parser.feed(chunk.value);
    } catch {
      if (abort.signal.aborted) return;
    }
    onState('reconnecting');
    later(() => void connect(), RETRY_MS);
  };

  onState('connecting');
  void connect();
  return {
    stop() {
      abort.abort();
      clearTimeout(timer);
    },
  };
}
