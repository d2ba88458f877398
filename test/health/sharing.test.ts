import { describe, expect, it } from 'vitest';
import { ownerOf, owns, weight } from '../../src/health/sharing.ts';

const keys = Array.from({ length: 6000 }, (_, i) => `srv-${(i % 7).toString(36)}abc/instance-${i}`);

describe('sharing checks between replicas (rendezvous hashing)', () => {
  it.each([
    { replicas: [], key: 'srv-1/i-1', owner: undefined },
    { replicas: ['only'], key: 'srv-1/i-1', owner: 'only' },
    { replicas: ['only'], key: 'srv-2/anything', owner: 'only' },
  ])('gives $key to $owner among $replicas', ({ replicas, key, owner }) => {
    expect(ownerOf(key, replicas)).toBe(owner);
  });

  it('picks the replica of highest weight, whatever the order of the list', () => {
    const replicas = ['a', 'b', 'c', 'd'];
    for (const key of keys.slice(0, 200)) {
      const best = [...replicas].sort((x, y) => weight(y, key) - weight(x, key))[0];
      expect(ownerOf(key, replicas)).toBe(best);
      expect(ownerOf(key, [...replicas].reverse())).toBe(best);
    }
  });

  it.each([
    { replicas: ['host-a-101', 'host-a-102'] },
    { replicas: ['r1', 'r2', 'r3'] },
    { replicas: ['cairn-0', 'cairn-1', 'cairn-2', 'cairn-3', 'cairn-4'] },
  ])('spreads instances evenly over $replicas', ({ replicas }) => {
    const counts = new Map(replicas.map((r) => [r, 0]));
    for (const key of keys) counts.set(ownerOf(key, replicas)!, counts.get(ownerOf(key, replicas)!)! + 1);
    const fair = keys.length / replicas.length;
    for (const c of counts.values()) expect(Math.abs(c - fair) / fair).toBeLessThan(0.1);
  });

  it.each([
    { before: ['r1', 'r2', 'r3'], after: ['r1', 'r3'], note: 'a replica leaves' },
    { before: ['r1', 'r2', 'r3'], after: ['r1', 'r2', 'r3', 'r4'], note: 'a replica joins' },
    { before: ['a', 'b'], after: ['b'], note: 'one of two leaves' },
  ])('moves only the instances that must move when $note', ({ before, after }) => {
    const leavers = before.filter((r) => !after.includes(r));
    const joiners = after.filter((r) => !before.includes(r));
    const moved = keys.filter((k) => ownerOf(k, before) !== ownerOf(k, after));
    for (const key of moved) {
      // An instance moves only away from a replica that left or to one that joined.
      expect(leavers.includes(ownerOf(key, before)!) || joiners.includes(ownerOf(key, after)!)).toBe(true);
    }
    const expected = keys.length / Math.max(before.length, after.length);
    expect(Math.abs(moved.length - expected) / expected).toBeLessThan(0.15);
  });

  it('gives every instance to exactly one replica: each replica probes the keys it owns and no other', () => {
    const replicas = ['x', 'y', 'z'];
    for (const key of keys.slice(0, 500)) {
      expect(replicas.filter((r) => owns(r, key, replicas))).toHaveLength(1);
    }
  });

  it('lets a replica missing from the list (its heartbeat not seen yet) count itself, so a key is probed twice rather than never', () => {
    const key = keys.find((k) => ownerOf(k, ['p', 'q']) === 'q')!;
    expect(owns('q', key, ['p'])).toBe(true);
    expect(owns('p', key, ['p'])).toBe(true);
    expect(owns('p', key, ['p', 'q'])).toBe(false);
  });
});
