// The history that resumes watch streams: one byte budget for every service, oldest out first, and only
// contiguous runs of events handed out.
import { describe, expect, it } from 'vitest';
import { WatchHistory } from '../../src/registry/watch-history.ts';

const frame = (text: string, size = 100) => Buffer.from(text.padEnd(size, '.'));
const texts = (frames: Buffer[] | undefined) => frames?.map((f) => f.toString().replace(/\.+$/, ''));

describe('WatchHistory', () => {
  it('hands out the events after a revision, only when they start there', () => {
    const h = new WatchHistory(10_000);
    h.add('s', 0, 1, frame('1'));
    h.add('s', 1, 2, frame('2'));
    h.add('s', 2, 3, frame('3'));
    expect(texts(h.since('s', 0))).toEqual(['1', '2', '3']);
    expect(texts(h.since('s', 2))).toEqual(['3']);
    expect(h.since('s', 3)).toBeUndefined(); // nothing after the newest: the caller knows it is current
    expect(h.since('other', 0)).toBeUndefined();
  });

  it('evicts the oldest event of any service first, and then cannot resume from before it', () => {
    const h = new WatchHistory(3 * 196); // three frames of 100 bytes and their bookkeeping
    h.add('a', 0, 1, frame('a1'));
    h.add('b', 0, 1, frame('b1'));
    h.add('a', 1, 2, frame('a2'));
    h.add('b', 1, 2, frame('b2')); // a1 goes
    expect(h.since('a', 0)).toBeUndefined();
    expect(texts(h.since('a', 1))).toEqual(['a2']);
    expect(texts(h.since('b', 0))).toEqual(['b1', 'b2']);
    expect(h.size).toBeLessThanOrEqual(3 * 196);
  });

  it('keeps no gap: an event too large to keep drops what the service had', () => {
    const h = new WatchHistory(1000);
    h.add('s', 0, 1, frame('1'));
    h.add('s', 1, 2, frame('huge', 2000));
    h.add('s', 2, 3, frame('3'));
    expect(h.since('s', 0)).toBeUndefined();
    expect(h.since('s', 1)).toBeUndefined();
    expect(texts(h.since('s', 2))).toEqual(['3']);
  });

  it('frees a dropped service at once and stays bounded through many services coming and going', () => {
    const h = new WatchHistory(1_000_000);
    h.add('kept', 0, 1, frame('kept')); // stays at the front: the dropped ones pile up behind it
    for (let i = 0; i < 50_000; i++) {
      h.add(`s${i}`, 0, 1, frame('x'));
      h.drop(`s${i}`);
    }
    expect(h.size).toBe(196);
    expect(texts(h.since('kept', 0))).toEqual(['kept']);
    const queue = (h as unknown as { queue: unknown[] }).queue;
    expect(queue.length).toBeLessThan(5000);
  });
});
