import { describe, expect, it } from 'vitest';
import type { HealthStatus } from '../../src/model/records.ts';
import { observe, type Streak } from '../../src/health/threshold.ts';

/** Feeds results one by one against a stored status that follows the flips, as the checker does. */
function run(start: HealthStatus, threshold: number, results: string): { flips: string; final: HealthStatus } {
  let stored = start;
  let streak: Streak | undefined;
  let flips = '';
  for (const r of results) {
    const o = observe(streak, stored, r === '+', threshold);
    streak = o.streak;
    if (o.flipTo) {
      stored = o.flipTo;
      flips += o.flipTo === 'HEALTHY' ? 'H' : 'U';
    } else flips += '.';
  }
  return { flips, final: stored };
}

describe('failure threshold', () => {
  // '+' a passing probe, '-' a failing one; 'U'/'H' where the result flips the status, '.' where not.
  it.each([
    { start: 'HEALTHY', threshold: 1, results: '+-+', flips: '.UH' },
    { start: 'HEALTHY', threshold: 3, results: '--+---', flips: '.....U' },
    { start: 'HEALTHY', threshold: 3, results: '---', flips: '..U' },
    { start: 'HEALTHY', threshold: 3, results: '+++++', flips: '.....' },
    { start: 'HEALTHY', threshold: 2, results: '--++', flips: '.U.H' },
    { start: 'HEALTHY', threshold: 2, results: '--+-++', flips: '.U..' + '.H' },
    { start: 'UNHEALTHY', threshold: 3, results: '+++', flips: '..H' },
    { start: 'UNHEALTHY', threshold: 3, results: '++-+++', flips: '.....H' },
    { start: 'UNHEALTHY', threshold: 1, results: '---', flips: '...' },
    { start: 'HEALTHY', threshold: 10, results: '-'.repeat(9) + '+' + '-'.repeat(10), flips: '.'.repeat(19) + 'U' },
    { start: 'HEALTHY', threshold: 0, results: '-', flips: 'U' }, // a threshold below 1 counts as 1
  ] as const)('from $start with threshold $threshold, results $results flip as $flips', ({ start, threshold, results, flips }) => {
    expect(run(start, threshold, results).flips).toBe(flips);
  });

  it('starts over when the stored status changed under a streak (another writer flipped it)', () => {
    const a = observe(undefined, 'HEALTHY', false, 3);
    const b = observe(a.streak, 'HEALTHY', false, 3);
    expect(b.streak).toEqual({ against: 'HEALTHY', count: 2 });
    // Meanwhile someone stored UNHEALTHY: successes now count against that, from zero.
    const c = observe(b.streak, 'UNHEALTHY', true, 3);
    expect(c).toEqual({ streak: { against: 'UNHEALTHY', count: 1 }, flipTo: undefined });
  });

  it('asks for the flip again on the next disagreeing result when the first flip was not stored', () => {
    const first = run('HEALTHY', 2, '--');
    expect(first.flips).toBe('.U');
    let streak: Streak | undefined;
    for (let i = 0; i < 2; i++) streak = observe(streak, 'HEALTHY', false, 2).streak;
    // The write failed, the catalog still says HEALTHY: one more failure is enough.
    expect(observe(streak, 'HEALTHY', false, 2).flipTo).toBe('UNHEALTHY');
  });
});
