// Small hooks shared by the pages: a clock that ticks, and data loaded again on demand or on a timer.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** The time now, updated every `everyMs` (relative times stay true while the page stays open). */
export function useNow(everyMs = 5000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  /** Loads again; calls made while a load runs are folded into one more load after it. */
  reload: () => void;
}

/** Runs `load` when `key` changes, on reload(), and every `pollMs` if given; keeps the last good data. */
export function useLoad<T>(load: () => Promise<T>, key: string, pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const running = useRef(false);
  const again = useRef(false);
  const current = useRef(load);
  current.current = load;
  const generation = useRef(0);

  const reload = useCallback(() => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    const mine = generation.current;
    current
      .current()
      .then(
        (value) => {
          if (mine !== generation.current) return;
          setData(value);
          setError(undefined);
        },
        (e: unknown) => {
          if (mine === generation.current) setError(e instanceof Error ? e : new Error(String(e)));
        },
      )
      .finally(() => {
        // A load for an earlier key no longer owns the flags: the new key's load may still be running.
        if (mine !== generation.current) return;
        running.current = false;
        if (again.current) {
          again.current = false;
          reload();
        }
      });
  }, []);

  useEffect(() => {
    generation.current++;
    running.current = false;
    again.current = false;
    setData(undefined);
    setError(undefined);
    reload();
    if (pollMs === undefined) return undefined;
    const t = setInterval(reload, pollMs);
    return () => clearInterval(t);
  }, [key, pollMs, reload]);

  return { data, error, reload };
}
