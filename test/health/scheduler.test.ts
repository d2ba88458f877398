// The probe scheduler on a test clock: the probes below take their time on that clock too, so a second of
// schedule runs in milliseconds and every timing is exact.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scheduler, type SchedulerOptions } from '../../src/health/scheduler.ts';
import { TestClock } from '../support/clock.ts';

type Item = { key: string };
const items = (n: number): Item[] => Array.from({ length: n }, (_, i) => ({ key: `srv-x/i-${i}` }));

let clock: TestClock;
let running: Scheduler<Item>[] = [];
beforeEach(() => {
  clock = new TestClock();
});
afterEach(async () => {
  await Promise.all(running.map((s) => s.stop()));
  running = [];
});

function scheduler(options: Partial<SchedulerOptions<Item>> & Pick<SchedulerOptions<Item>, 'probe'>): Scheduler<Item> {
  const s = new Scheduler<Item>({ intervalMs: 100, timeoutMs: 50, concurrency: 10, onResult: () => undefined, timers: clock, ...options });
  running.push(s);
  return s;
}

/** Records when each key's probe started, and how many ran at once. */
function recorder(probeMs: number) {
  const starts = new Map<string, number[]>();
  let inFlight = 0;
  let maxInFlight = 0;
  const probe = async (item: Item, signal: AbortSignal): Promise<boolean> => {
    (starts.get(item.key) ?? starts.set(item.key, []).get(item.key)!).push(clock.now());
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => {
      const t = clock.setTimeout(resolve, probeMs);
      signal.addEventListener(
        'abort',
        () => {
          clock.clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
    inFlight--;
    return !signal.aborted;
  };
  return { probe, starts, max: () => maxInFlight };
}

describe('probe scheduler', () => {
  it('probes every target once per interval, at a steady gap', async () => {
    const r = recorder(2);
    const s = scheduler({ probe: r.probe, intervalMs: 100 });
    for (const i of items(20)) s.set(i);
    await clock.advance(1050);
    for (const times of r.starts.values()) {
      expect(times.length).toBeGreaterThanOrEqual(9);
      expect(times.length).toBeLessThanOrEqual(11);
      for (let k = 1; k < times.length; k++) expect(Math.abs(times[k]! - times[k - 1]! - 100)).toBeLessThan(40);
    }
    expect(r.starts.size).toBe(20);
  });

  it('spreads targets over the interval instead of probing them in one burst', async () => {
    const r = recorder(1);
    const s = scheduler({ probe: r.probe, intervalMs: 1000, concurrency: 1000 });
    for (const i of items(400)) s.set(i);
    await clock.advance(1050);
    const buckets = new Array<number>(5).fill(0);
    for (const times of r.starts.values()) buckets[Math.floor((times[0]! % 1000) / 200)]!++;
    // 400 phases over five fifths of the interval: about 80 each, none empty, none a burst.
    expect(buckets.reduce((a, b) => a + b, 0)).toBe(400);
    for (const b of buckets) {
      expect(b).toBeGreaterThan(40);
      expect(b).toBeLessThan(140);
    }
  });

  it('never has more probes in flight than the concurrency cap, and still keeps the interval', async () => {
    const r = recorder(5);
    const s = scheduler({ probe: r.probe, intervalMs: 300, concurrency: 4, timeoutMs: 100 });
    for (const i of items(150)) s.set(i); // needs 500 probes/s; 4 slots of 5ms give up to 800/s
    await clock.advance(1250);
    expect(r.max()).toBeLessThanOrEqual(4);
    expect(s.stats().maxInFlight).toBeLessThanOrEqual(4);
    expect(r.starts.size).toBe(150);
    for (const times of r.starts.values()) expect(times.length).toBeGreaterThanOrEqual(3);
  });

  it('skips a round rather than stacking probes when a target is still being probed', async () => {
    const r = recorder(250);
    const s = scheduler({ probe: r.probe, intervalMs: 100, timeoutMs: 1000 });
    s.set({ key: 'slow' });
    await clock.advance(1000);
    const times = r.starts.get('slow') ?? [];
    expect(r.max()).toBe(1);
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect(times.length).toBeLessThanOrEqual(4);
    expect(s.stats().skipped).toBeGreaterThan(0);
  });

  it('reports a probe that outlives the timeout as unhealthy, at the timeout', async () => {
    const results: { healthy: boolean; at: number; started: number }[] = [];
    let started = 0;
    const s = scheduler({
      intervalMs: 400,
      timeoutMs: 60,
      probe: (_item, signal) => {
        started = clock.now();
        return new Promise((resolve) => signal.addEventListener('abort', () => resolve(false)));
      },
      onResult: (_item, healthy) => results.push({ healthy, at: clock.now(), started }),
    });
    s.set({ key: 'hangs' });
    await clock.advance(500);
    expect(results[0]?.healthy).toBe(false);
    expect(results[0]!.at - results[0]!.started).toBeGreaterThanOrEqual(55);
    expect(results[0]!.at - results[0]!.started).toBeLessThan(150);
  });

  it('stops probing a removed target, and runs nothing after stop()', async () => {
    const r = recorder(1);
    const results: string[] = [];
    const s = scheduler({ probe: r.probe, intervalMs: 50, onResult: (i) => results.push(i.key) });
    s.set({ key: 'a' });
    s.set({ key: 'b' });
    await clock.advance(130);
    s.delete('a');
    const aCount = r.starts.get('a')?.length ?? 0;
    await clock.advance(150);
    expect(r.starts.get('a')?.length ?? 0).toBe(aCount);
    expect(r.starts.get('b')!.length).toBeGreaterThanOrEqual(4);
    await s.stop();
    const total = results.length;
    await clock.advance(120);
    expect(results.length).toBe(total);
    expect(s.has('b')).toBe(false);
  });
});
