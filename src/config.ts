// Every setting in one table: its flag, environment variable, default and parser. A bad value stops the
// start with one line naming the flag, the value and what was expected.
import { parseArgs } from 'node:util';
import { distance } from 'fastest-levenshtein';
import ipaddr from 'ipaddr.js';
import { parseDuration } from './model/duration.ts';
import { parseRedisTarget } from './model/redis-url.ts';
import { redactSecrets } from './model/redact.ts';

export class ConfigError extends Error {}

type Parser<T> = (raw: string) => T;

const duration: Parser<number> = (raw) => {
  const ms = parseDuration(raw);
  if (ms === undefined) throw new Error('a duration with a unit, e.g. 500ms, 2s, 1m, 30d');
  return ms;
};
const positiveDuration: Parser<number> = (raw) => {
  const ms = duration(raw);
  if (ms <= 0) throw new Error('a duration above zero, e.g. 500ms, 2s, 1m');
  return ms;
};
const int =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    if (!/^\d+$/.test(raw.trim())) throw new Error(`a whole number from ${min} to ${max}`);
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`a whole number from ${min} to ${max}`);
    return n;
  };
const port = int(0, 65535);
const sizeUnits: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
const size: Parser<number> = (raw) => {
  const m = /^(\d+)(B|KiB|MiB|GiB)$/.exec(raw.trim());
  if (!m || Number(m[1]) === 0) throw new Error('a size above zero with a unit, e.g. 64KiB, 1MiB');
  return Number(m[1]) * sizeUnits[m[2]!]!;
};
const str: Parser<string> = (raw) => {
  if (raw.trim() === '') throw new Error('a non-empty value');
  return raw.trim();
};
const host: Parser<string> = (raw) => {
  if (!ipaddr.isValid(raw.trim()) && !/^[a-zA-Z0-9.-]+$/.test(raw.trim())) throw new Error('an IP address or host name');
  return raw.trim();
};
export const cidr: Parser<[ipaddr.IPv4 | ipaddr.IPv6, number]> = (raw) => {
  try {
    return ipaddr.parseCIDR(raw.trim());
  } catch {
    throw new Error('a CIDR such as 10.0.0.0/16 or fd00::/8');
  }
};
const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw) => {
    if (!(values as string[]).includes(raw)) throw new Error(`one of ${values.join(', ')}`);
    return raw as T;
  };
const account: Parser<string> = (raw) => {
  if (!/^\d{12}$/.test(raw)) throw new Error('12 digits');
  return raw;
};
const redisUrl: Parser<string> = (raw) => {
  parseRedisTarget(raw); // its error says what was expected, never the URL (it may hold a password)
  return raw;
};
const redisTimeout: Parser<number> = (raw) => {
  const ms = duration(raw);
  if (ms < 50 || ms > 60_000) throw new Error('a duration from 50ms to 60s');
  return ms;
};

export interface VpcConfig {
  id: string;
  cidrs: string[];
}
const vpc: Parser<VpcConfig> = (raw) => {
  const m = /^([^=\s]+)=(.+)$/.exec(raw.trim());
  if (!m) throw new Error('ID=CIDR[,CIDR...], e.g. vpc-1=10.0.0.0/16');
  const cidrs = m[2]!.split(',').map((c) => c.trim());
  for (const c of cidrs) cidr(c);
  return { id: m[1]!, cidrs };
};
const hostPort =
  (defaultPort: number): Parser<{ host: string; port: number }> =>
  (raw) => {
    const v = raw.trim();
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(v);
    let h: string;
    let p = defaultPort;
    if (bracket) {
      h = bracket[1]!;
      if (bracket[2]) p = Number(bracket[2]);
    } else if (ipaddr.IPv6.isValid(v)) h = v;
    else {
      const parts = v.split(':');
      h = parts[0]!;
      if (parts[1] !== undefined) p = Number(parts[1]);
    }
    if (!ipaddr.isValid(h) || !Number.isInteger(p) || p < 1 || p > 65535)
      throw new Error('HOST[:PORT] with an IP address, e.g. 1.1.1.1 or 9.9.9.9:53');
    return { host: h, port: p };
  };
/** A parser whose value may hold a password: a bad value is not repeated in the error. */
const secret = <T>(p: Parser<T>): Parser<T> => Object.assign((raw: string) => p(raw), { secret: true });
const isSecret = (p: Parser<unknown>): boolean => (p as { secret?: boolean }).secret === true;
const credentials: Parser<{ accessKeyId: string; secretAccessKey: string }> = (raw) => {
  const i = raw.indexOf(':');
  if (i <= 0 || i === raw.length - 1) throw new Error('ACCESS_KEY_ID:SECRET_ACCESS_KEY');
  return { accessKeyId: raw.slice(0, i), secretAccessKey: raw.slice(i + 1) };
};
const list =
  <T>(p: Parser<T>): Parser<T[]> =>
  (raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(p);

interface Setting<T, D extends string | undefined = string | undefined, R extends boolean = boolean> {
  parse: Parser<T>;
  default: D;
  repeatable: R;
  help: string;
}
function setting<T, D extends string | undefined, R extends boolean = false>(
  parse: Parser<T>,
  def: D,
  help: string,
  repeatable?: R,
): Setting<T, D, R> {
  return { parse, default: def, help, repeatable: (repeatable ?? false) as R };
}

/** The table of settings: flag name → parser and default. The README's settings table mirrors it. */
export const settings = {
  'api-host': setting(host, '0.0.0.0', 'address the HTTP API listens on'),
  'api-port': setting(port, '8080', 'port of the HTTP API'),
  'api-request-timeout': setting(
    positiveDuration,
    '30s',
    'a whole API request (headers and body) must arrive within this, or the connection is closed',
  ),
  'api-headers-timeout': setting(
    positiveDuration,
    '10s',
    'the headers of an API request must arrive within this (or --api-request-timeout, if shorter)',
  ),
  'api-keep-alive-timeout': setting(positiveDuration, '5s', 'an idle keep-alive API connection is closed after this'),
  'api-max-connections': setting(int(1, 1_000_000), '1024', 'API connections open at once; beyond it a new connection is closed at once'),
  'metrics-host': setting(host, '127.0.0.1', 'address of the separate GET /metrics listener (with --metrics-port)'),
  'metrics-port': setting(
    port,
    undefined,
    'port of a separate listener for GET /metrics, which then leaves the API port (default: none, /metrics on the API port)',
  ),
  'dns-host': setting(host, '0.0.0.0', 'address the DNS server listens on (UDP and TCP)'),
  'dns-port': setting(port, '8053', 'port of the DNS server (UDP and TCP)'),
  'redis-url': setting(secret(redisUrl), undefined, 'Redis URL; without it cairn uses an embedded in-memory store'),
  'redis-prefix': setting(str, 'cairn', 'prefix of every Redis key (the hash tag keeps them in one Cluster slot)'),
  'redis-timeout': setting(redisTimeout, '500ms', 'longest wait for a Redis reply: a write then fails with 503 (and may still be applied)'),
  'redis-wait-replicas': setting(
    int(0, 16),
    '0',
    'a write is acknowledged only once this many Redis replicas have it (WAIT, up to half of --redis-timeout), else 503: keeps acknowledged writes through a Sentinel failover',
  ),
  region: setting(str, 'us-east-1', 'the region in ARNs'),
  'account-id': setting(account, '123456789012', 'the account in ARNs and owner fields'),
  vpc: setting(vpc, undefined, 'VPC id and its CIDRs, ID=CIDR[,CIDR...]; decides who sees a private namespace', true),
  'log-level': setting(oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), 'info', 'log level'),
  'log-format': setting(
    oneOf('auto', 'json', 'pretty'),
    'auto',
    'json (one object a line, ISO times), pretty (for people), or auto: pretty when stdout is a terminal, json otherwise',
  ),
  'drain-timeout': setting(
    positiveDuration,
    '4s',
    'on SIGTERM, API requests still unanswered after this are cut; then DNS stops and cairn exits',
  ),
  credentials: setting(
    secret(credentials),
    undefined,
    'ACCESS_KEY_ID:SECRET accepted by SigV4 verification; without any, requests are not verified',
    true,
  ),
  'sigv4-max-skew': setting(duration, '5m', 'largest clock difference a signed request may have'),
  'max-namespaces': setting(int(1, 1_000_000), '50', 'namespaces per region'),
  'max-instances-per-namespace': setting(int(1, 10_000_000), '2000', 'instances per namespace'),
  'max-instances-per-service': setting(int(1, 10_000_000), '1000', 'instances per service'),
  'operation-retention': setting(duration, '30d', 'how long operations are kept'),
  'discover-rate-limit': setting(int(0, 10_000_000), '0', 'DiscoverInstances calls per second before RequestLimitExceeded (0: no limit)'),
  'dns-max-udp-payload': setting(int(512, 4096), '1232', 'EDNS payload size advertised and applied'),
  'dns-default-soa-ttl': setting(int(0, 2147483647), '15', 'SOA TTL of a namespace created without Properties'),
  'dns-ns-names': setting(list(str), undefined, 'NS names of every zone (default ns1.<apex>)'),
  'dns-ns-addresses': setting(list(host), undefined, 'addresses of the NS names, answered and used as glue'),
  'dns-soa-rname': setting(str, undefined, 'SOA RNAME (default hostmaster.<apex>)'),
  'dns-ns-ttl': setting(int(0, 2147483647), '172800', 'TTL of NS records and glue'),
  'dns-tcp-idle-timeout': setting(
    duration,
    '10s',
    'a DNS TCP connection idle this long, or with a message still incomplete this long after its first byte, is closed',
  ),
  'dns-tcp-max-connections': setting(
    int(1, 1_000_000),
    '1000',
    'DNS TCP connections at once; at the cap the one idle the longest is closed to admit a new one',
  ),
  'dns-tcp-max-pending': setting(
    int(1, 65_535),
    '16',
    'queries of one DNS TCP connection waiting for an upstream answer; at the cap its reading pauses',
  ),
  'dns-udp-io': setting(
    oneOf('auto', 'batched', 'dgram'),
    'auto',
    'DNS UDP I/O: batched (native recvmmsg/sendmmsg, Linux), dgram (node:dgram), auto (batched when built)',
  ),
  upstream: setting(hostPort(53), undefined, 'upstream resolver HOST[:PORT] for names outside every namespace', true),
  'recursion-cidr': setting(cidr, undefined, 'clients allowed to use forwarding (default loopback and private ranges)', true),
  'upstream-timeout': setting(duration, '2s', 'time allowed to each upstream try'),
  'upstream-max-inflight': setting(
    int(1, 100_000),
    '256',
    'forwarded queries and alias lookups waiting for upstreams at once; more get SERVFAIL at once',
  ),
  'health-check-interval': setting(duration, '10s', 'how often each checked instance is probed (across all replicas)'),
  'health-check-timeout': setting(duration, '2s', 'time a probe may take'),
  'health-check-concurrency': setting(int(1, 100_000), '256', 'probes in flight at once on one replica'),
  'custom-health-delay': setting(duration, '0s', 'delay before a custom health change applies (AWS: 30s)'),
  'replica-id': setting(str, undefined, 'name of this replica (default host name and pid)'),
  'watch-max': setting(
    int(0, 1_000_000),
    '10000',
    'watch streams and blocking queries open at once; beyond it 429 ThrottlingException (each holds an API connection)',
  ),
  'watch-max-wait': setting(positiveDuration, '5m', 'longest wait of a blocking query (also its wait when none is given)'),
  'watch-heartbeat': setting(positiveDuration, '15s', 'every open watch stream gets a comment line this often, so proxies keep it open'),
  'watch-max-buffer': setting(size, '1MiB', 'bytes a watch stream may leave unsent before its next event; beyond it the stream is closed'),
  'watch-history': setting(size, '8MiB', 'recent change events kept (all services together) to resume a watch stream from Last-Event-ID'),
  'console-health-history': setting(
    int(0, 1000),
    '50',
    "health flips kept in memory per instance for the console's timeline (those this replica has seen since it started)",
  ),
} satisfies Record<string, Setting<unknown, string | undefined, boolean>>;

type Settings = typeof settings;
type ValueOf<K extends keyof Settings> = Settings[K] extends Setting<infer T, infer _D, infer _R> ? T : never;
export type Config = {
  [K in keyof Settings as CamelCase<K & string>]: Settings[K]['repeatable'] extends true
    ? ValueOf<K>[]
    : Settings[K]['default'] extends string
      ? ValueOf<K>
      : ValueOf<K> | undefined;
};
type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

export const envName = (flag: string): string => `CAIRN_${flag.toUpperCase().replace(/-/g, '_')}`;
const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Reads flags (which win) and CAIRN_* environment variables. Throws ConfigError with one clear line. */
export function loadConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Config {
  const options = Object.fromEntries(
    Object.entries(settings).map(([flag, s]) => [flag, { type: 'string' as const, multiple: s.repeatable === true }]),
  );
  const swallowed = flagsNpmTook(argv, env);
  if (swallowed) throw new ConfigError(swallowed);
  let values: Record<string, string | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new ConfigError(argumentError(e as NodeJS.ErrnoException));
  }
  const out: Record<string, unknown> = {};
  for (const [flag, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const fromFlag = values[flag];
    const fromEnv = env[envName(flag)];
    let raws: string[];
    let source: string;
    if (fromFlag !== undefined) {
      raws = Array.isArray(fromFlag) ? fromFlag : [fromFlag];
      source = `--${flag}`;
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raws = s.repeatable ? fromEnv.split(/\s+/).filter((v) => v !== '') : [fromEnv];
      source = envName(flag);
    } else {
      raws = s.default === undefined ? [] : [s.default];
      source = `--${flag}`;
    }
    const parsed = raws.map((raw) => {
      try {
        return s.parse(raw);
      } catch (e) {
        const shown = isSecret(s.parse) ? 'the value (not shown: it may hold a password)' : `'${raw}'`;
        throw new ConfigError(`${source}: ${shown} is not valid; expected ${(e as Error).message}`);
      }
    });
    out[camel(flag)] = s.repeatable ? parsed : parsed[0];
  }
  return out as Config;
}

const HELP_HINT = 'npm start -- --help lists every setting';

/** A command-line mistake in words: an unknown flag names the closest known one. */
function argumentError(e: NodeJS.ErrnoException): string {
  const unknown = /^Unknown option '(-{1,2}[^']*)'/.exec(e.message);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const given = unknown[1]!.split('=')[0]!;
    const near = closestFlag(given.replace(/^-+/, ''));
    return `unknown flag ${redactSecrets(given)}${near ? `; did you mean --${near}?` : ''} (${HELP_HINT})`;
  }
  const positional = /^Unexpected argument '([^']*)'/.exec(e.message);
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && positional)
    return `unexpected argument '${redactSecrets(positional[1]!)}': every setting is a flag followed by its value, as in --dns-port 5353 (${HELP_HINT})`;
  return `${redactSecrets(e.message)} (${HELP_HINT})`;
}

/** The known flag nearest to `name` by edit distance, when it is near enough to be a typo of it. */
export function closestFlag(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const flag of Object.keys(settings)) {
    const d = distance(name.toLowerCase(), flag);
    if (d < bestDistance) [best, bestDistance] = [flag, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * `npm start --dns-port 9091` (no `--`) gives the flag to npm, which keeps it as its own configuration
 * (npm_config_dns_port in the script's environment: `true`, with 9091 passed on as a bare argument; or
 * 9091 itself when written --dns-port=9091). cairn would start on its defaults; say where flags go.
 */
function flagsNpmTook(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  if (env.npm_lifecycle_event === undefined) return undefined;
  const taken = Object.keys(settings).filter((flag) => env[`npm_config_${flag.replace(/-/g, '_')}`] !== undefined);
  if (taken.length === 0) return undefined;
  const bare = argv.filter((a) => !a.startsWith('-'));
  const shown = taken.map((flag) => {
    const value = env[`npm_config_${flag.replace(/-/g, '_')}`]!;
    const guess = value !== 'true' ? value : taken.length === 1 && bare.length === 1 ? bare[0]! : 'VALUE';
    return `--${flag} ${isSecret(settings[flag as keyof Settings].parse) ? 'VALUE' : guess}`;
  });
  return `npm kept ${taken.map((f) => `--${f}`).join(', ')} for itself: put cairn's flags after --, as in npm start -- ${shown.join(' ')}`;
}
