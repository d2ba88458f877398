// The warning at start when the API listens beyond loopback without --credentials.
import { describe, expect, it } from 'vitest';
import { exposureWarning, isLoopback } from '../../src/api/exposure.ts';

describe('exposure warning', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST'])('calls %s loopback', (host) => {
    expect(isLoopback(host)).toBe(true);
    expect(exposureWarning(host, 8080, false)).toBeUndefined();
  });

  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', 'fd00::1', 'cairn.internal'])('warns for %s without credentials', (host) => {
    expect(isLoopback(host)).toBe(false);
    const text = exposureWarning(host, 8080, false);
    expect(text).toContain('without --credentials');
    expect(text).toContain('anyone who can reach it can create, change and delete');
    expect(text).toContain('--api-host 127.0.0.1');
    expect(text).toContain('--credentials ACCESS_KEY_ID:SECRET');
  });

  it('says nothing when signatures are verified', () => {
    expect(exposureWarning('0.0.0.0', 8080, true)).toBeUndefined();
  });

  it('brackets an IPv6 address before the port', () => {
    expect(exposureWarning('::', 8080, false)).toContain('[::]:8080');
  });
});
