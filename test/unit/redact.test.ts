// Secrets masked in text that may be logged or sent back: URL passwords, however they are written.
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/model/redact.ts';
import { redact } from '../../src/store/redis/connection.ts';

describe('redactSecrets', () => {
  it.each([
    ['redis://cairn:hunter2@10.0.0.5:6379/0', 'redis://cairn:***@10.0.0.5:6379/0'],
    ['redis://:hunter2@10.0.0.5:6379', 'redis://:***@10.0.0.5:6379'],
    ['rediss://u:hun@ter/2@redis.example:6380', 'rediss://u:***@redis.example:6380'],
    ['redis+sentinel://u:hunter2@s1:26379,s2:26379/mymaster', 'redis+sentinel://u:***@s1:26379,s2:26379/mymaster'],
    ['redis+cluster://u:hunter2@n1:7000,n2:7001,[::1]:7002', 'redis+cluster://u:***@n1:7000,n2:7001,[::1]:7002'],
    ['redis+cluster://:hunter2@n1:7000', 'redis+cluster://:***@n1:7000'],
    ['redis://10.0.0.5:6379?password=hunter2&db=1', 'redis://10.0.0.5:6379?password=***&db=1'],
    ['redis://10.0.0.5:6379?db=1&sentinelPassword=hunter2', 'redis://10.0.0.5:6379?db=1&sentinelPassword=***'],
    ['Cannot reach Redis at redis://u:hunter2@h:1: timed out', 'Cannot reach Redis at redis://u:***@h:1: timed out'],
    ['redis://10.0.0.5:6379', 'redis://10.0.0.5:6379'],
  ])('masks %s', (text, masked) => {
    expect(redactSecrets(text)).toBe(masked);
    expect(redact(text)).toBe(masked);
  });
});
