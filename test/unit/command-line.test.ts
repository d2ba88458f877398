// Mistakes on the command line answered in one line that says what to type instead.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { askedFor } from '../../src/usage.ts';

const refusal = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
  try {
    loadConfig(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('an unknown flag', () => {
  it.each([
    ['--dns-prot', 'dns-port'],
    ['--redis-ulr', 'redis-url'],
    ['--api-hots', 'api-host'],
    ['--healthcheck-interval', 'health-check-interval'],
    ['--DNS-PORT', 'dns-port'],
  ])('%s names the closest known one', (flag, near) => {
    expect(refusal([flag, '1'])).toBe(`unknown flag ${flag}; did you mean --${near}? (npm start -- --help lists every setting)`);
  });

  it('names none when nothing is close', () => {
    expect(refusal(['--frobnicate', '1'])).toBe('unknown flag --frobnicate (npm start -- --help lists every setting)');
  });

  it('says that settings are flags when a bare value is given', () => {
    expect(refusal(['9091'])).toMatch(/^unexpected argument '9091': every setting is a flag followed by its value/);
  });
});

describe('flags npm took for itself (npm start without --)', () => {
  const npm = { npm_lifecycle_event: 'start' };

  it('npm start --dns-port 9091: the value came as a bare argument', () => {
    expect(refusal(['9091'], { ...npm, npm_config_dns_port: 'true' })).toBe(
      "npm kept --dns-port for itself: put cairn's flags after --, as in npm start -- --dns-port 9091",
    );
  });

  it('npm start --dns-port=9091 --api-port=0: the values are in npm_config_*', () => {
    expect(refusal([], { ...npm, npm_config_dns_port: '9091', npm_config_api_port: '0' })).toBe(
      "npm kept --api-port, --dns-port for itself: put cairn's flags after --, as in npm start -- --api-port 0 --dns-port 9091",
    );
  });

  it('never repeats a value that may hold a password', () => {
    const message = refusal([], { ...npm, npm_config_redis_url: 'redis://:hunter2@cache:6379' });
    expect(message).toContain('npm start -- --redis-url VALUE');
    expect(message).not.toContain('hunter2');
  });

  it('is not looked for outside npm', () => {
    expect(loadConfig([], { npm_config_dns_port: '9091' }).dnsPort).toBe(8053);
  });
});

describe('--help and --version', () => {
  it.each([
    [['--help'], 'help'],
    [['-h'], 'help'],
    [['--api-port', '1', '--version'], 'version'],
    [['-V'], 'version'],
    [['--replica-id', '--help'], undefined], // a value, not a request
    [['--dns-port', '5353'], undefined],
  ])('%j asks for %s', (argv, asked) => {
    expect(askedFor(argv)).toBe(asked);
  });
});
