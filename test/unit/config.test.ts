import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig([], {});
    expect(c).toMatchObject({
      apiHost: '0.0.0.0',
      apiPort: 8080,
      dnsHost: '0.0.0.0',
      dnsPort: 8053,
      redisUrl: undefined,
      region: 'us-east-1',
      accountId: '123456789012',
      vpc: [],
      logLevel: 'info',
      healthCheckInterval: 10_000,
      healthCheckTimeout: 2_000,
      dnsMaxUdpPayload: 1232,
    });
  });

  it('lets flags win over the environment', () => {
    const c = loadConfig(['--dns-port', '5353'], { CAIRN_DNS_PORT: '9999', CAIRN_API_PORT: '9090' });
    expect(c.dnsPort).toBe(5353);
    expect(c.apiPort).toBe(9090);
  });

  it('takes repeatable values as repeated flags or space-separated in the environment', () => {
    expect(loadConfig(['--vpc', 'vpc-a=10.0.0.0/16,fd00::/8', '--vpc', 'vpc-b=127.0.0.0/8'], {}).vpc).toEqual([
      { id: 'vpc-a', cidrs: ['10.0.0.0/16', 'fd00::/8'] },
      { id: 'vpc-b', cidrs: ['127.0.0.0/8'] },
    ]);
    expect(loadConfig([], { CAIRN_VPC: 'vpc-a=10.0.0.0/16 vpc-b=10.1.0.0/16' }).vpc.map((v) => v.id)).toEqual(['vpc-a', 'vpc-b']);
    expect(loadConfig([], { CAIRN_UPSTREAM: '1.1.1.1 [::1]:5353' }).upstream).toEqual([
      { host: '1.1.1.1', port: 53 },
      { host: '::1', port: 5353 },
    ]);
  });

  it('parses durations with units', () => {
    expect(
      loadConfig(['--health-check-interval', '500ms', '--health-check-timeout', '1.5s', '--operation-retention', '2d'], {}),
    ).toMatchObject({ healthCheckInterval: 500, healthCheckTimeout: 1500, operationRetention: 172_800_000 });
  });

  it.each([
    [['--dns-port', 'abc'], "--dns-port: 'abc' is not valid; expected a whole number from 0 to 65535"],
    [['--api-port', '70000'], "--api-port: '70000' is not valid"],
    [['--vpc', 'vpc-1'], "--vpc: 'vpc-1' is not valid; expected ID=CIDR"],
    [['--vpc', 'vpc-1=10.0.0.0/99'], 'expected a CIDR'],
    [['--health-check-interval', '10'], 'expected a duration with a unit'],
    [['--account-id', '42'], 'expected 12 digits'],
    [['--redis-url', 'localhost:6379'], 'expected a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL'],
    [['--redis-url', 'redis+sentinel://s1:26379'], 'expected redis+sentinel://[user:password@]host[:port],host[:port]/masterName'],
    [['--redis-url', 'redis+sentinel://s1:notaport/main'], 'expected Sentinel addresses as host[:port]'],
    [['--redis-url', 'redis+cluster://n1:7000,n2:port'], "expected Cluster node addresses as host[:port] (port 1 to 65535), got 'n2:port'"],
    [['--redis-url', 'redis+cluster://n1:7000,n2:7001/0'], 'expected redis+cluster://[user:password@]host[:port],host[:port]… (seed nodes'],
    [['--redis-url', 'redis+cluster://u:hunter2@'], 'expected redis+cluster://[user:password@]host[:port]'],
    [['--redis-url', 'redis://cache:99999'], 'expected a URL of the form redis://[user:password@]host[:port]'],
    [['--redis-url', 'redis://cache:6379/zero'], 'expected a database number'],
    [['--redis-timeout', '10ms'], 'expected a duration from 50ms to 60s'],
    [['--redis-wait-replicas', '17'], "--redis-wait-replicas: '17' is not valid; expected a whole number from 0 to 16"],
    [['--upstream', 'resolver.example'], 'expected HOST[:PORT]'],
    [['--log-level', 'loud'], 'expected one of fatal, error'],
    [['--no-such-flag', 'x'], 'unknown flag --no-such-flag (npm start -- --help lists every setting)'],
  ])('refuses %j with one line naming the flag', (argv, fragment) => {
    expect(() => loadConfig(argv, {})).toThrow(ConfigError);
    expect(() => loadConfig(argv, {})).toThrow(fragment);
  });

  it('bounds the HTTP API by default', () => {
    expect(loadConfig([], {})).toMatchObject({
      apiRequestTimeout: 30_000,
      apiHeadersTimeout: 10_000,
      apiKeepAliveTimeout: 5_000,
      apiMaxConnections: 1024,
    });
  });

  it.each([
    [['--api-request-timeout', '0s'], 'expected a duration above zero'],
    [['--api-max-connections', '0'], "--api-max-connections: '0' is not valid"],
  ])('refuses the HTTP bound %j', (argv, fragment) => {
    expect(() => loadConfig(argv, {})).toThrow(fragment);
  });

  it('bounds watches by default, and takes sizes with units', () => {
    expect(loadConfig([], {})).toMatchObject({
      watchMax: 10_000,
      watchMaxWait: 300_000,
      watchHeartbeat: 15_000,
      watchMaxBuffer: 1024 * 1024,
      watchHistory: 8 * 1024 * 1024,
    });
    expect(loadConfig(['--watch-max-buffer', '64KiB', '--watch-history', '2GiB'], {})).toMatchObject({
      watchMaxBuffer: 65_536,
      watchHistory: 2 * 1024 ** 3,
    });
  });

  it.each([
    [['--watch-max-buffer', '64k'], "--watch-max-buffer: '64k' is not valid; expected a size above zero with a unit, e.g. 64KiB, 1MiB"],
    [['--watch-history', '0MiB'], 'expected a size above zero'],
    [['--watch-max-wait', '0s'], 'expected a duration above zero'],
    [['--watch-max', 'many'], "--watch-max: 'many' is not valid; expected a whole number from 0 to 1000000"],
  ])('refuses the watch bound %j', (argv, fragment) => {
    expect(() => loadConfig(argv, {})).toThrow(fragment);
  });

  it.each([
    [['--redis-url', 'http://cairn:hunter2@redis:6379']],
    [['--redis-url', 'redis+sentinel://u:hunter2@/main']],
    [['--redis-url', 'redis+cluster://u:hunter2@']],
    [['--redis-url', 'redis+cluster://u:hunter2@n1:port']],
    [['--credentials', 'AKIDhunter2']],
    [['--api-port', '80', 'redis://cairn:hunter2@redis:6379']],
  ])('never repeats a password from a bad value: %j', (argv) => {
    expect(() => loadConfig(argv, {})).toThrow(ConfigError);
    expect(() => loadConfig(argv, {})).not.toThrow(/hunter2/);
  });

  it('names the environment variable when the bad value came from it', () => {
    expect(() => loadConfig([], { CAIRN_DNS_PORT: 'x' })).toThrow("CAIRN_DNS_PORT: 'x' is not valid");
  });
});
