// The agent's own settings, as flags and CAIRN_AGENT_* environment variables (flags win), like the server's:
// a bad value stops the start with one line naming the flag, the value and what was expected.
import { parseArgs } from 'node:util';
import { parseDuration } from '../model/duration.ts';
import type { AgentOptions } from './agent.ts';

export const usage =
  'usage: cairn agent [--endpoint URL] [--region REGION] [--docker-socket PATH] [--agent-id ID] [--namespace NAME] [--only-label KEY[=VALUE]] ' +
  '[--resync-interval DURATION] [--call-timeout DURATION] [--log-level LEVEL]';

export class AgentOptionError extends Error {}

/** What the command line and environment set: the agent's options that are plain values, and the log level. */
export type AgentSettings = Pick<
  AgentOptions,
  'endpoint' | 'region' | 'dockerSocket' | 'agentId' | 'namespace' | 'onlyLabel' | 'resyncIntervalMs' | 'callTimeoutMs'
> & { logLevel: string };

type Parse = (raw: string) => unknown;
const text: Parse = (raw) => {
  if (raw.trim() === '') throw new Error('a non-empty value');
  return raw.trim();
};
const url: Parse = (raw) => {
  const u = URL.canParse(raw.trim()) ? new URL(raw.trim()) : undefined;
  if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:'))
    throw new Error('an http:// or https:// URL, e.g. http://cairn:8080');
  return raw.trim().replace(/\/+$/, '');
};
const labelFilter: Parse = (raw) => {
  if (!/^[^=\s]+(=\S*)?$/.test(raw.trim())) throw new Error('KEY or KEY=VALUE, e.g. com.docker.compose.project=shop');
  return raw.trim();
};
const duration =
  (minMs: number): Parse =>
  (raw) => {
    const ms = parseDuration(raw);
    if (ms === undefined || ms < minMs) throw new Error(`a duration with a unit of at least ${minMs}ms, e.g. 500ms, 5s, 1m`);
    return ms;
  };
const level: Parse = (raw) => {
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(raw))
    throw new Error('one of fatal, error, warn, info, debug, trace, silent');
  return raw;
};

/** Flag → setting name, parser, and default (undefined: none). */
const table: Record<string, { key: keyof AgentSettings; parse: Parse; def?: string; env: string }> = {
  endpoint: { key: 'endpoint', parse: url, env: 'CAIRN_AGENT_ENDPOINT' },
  region: { key: 'region', parse: text, env: 'CAIRN_AGENT_REGION' },
  'docker-socket': { key: 'dockerSocket', parse: text, def: '/var/run/docker.sock', env: 'CAIRN_AGENT_DOCKER_SOCKET' },
  'agent-id': { key: 'agentId', parse: text, env: 'CAIRN_AGENT_ID' },
  namespace: { key: 'namespace', parse: text, env: 'CAIRN_AGENT_NAMESPACE' },
  'only-label': { key: 'onlyLabel', parse: labelFilter, env: 'CAIRN_AGENT_ONLY_LABEL' },
  'resync-interval': { key: 'resyncIntervalMs', parse: duration(1000), def: '60s', env: 'CAIRN_AGENT_RESYNC_INTERVAL' },
  'call-timeout': { key: 'callTimeoutMs', parse: duration(100), def: '5s', env: 'CAIRN_AGENT_CALL_TIMEOUT' },
  'log-level': { key: 'logLevel', parse: level, def: 'info', env: 'CAIRN_AGENT_LOG_LEVEL' },
};

export const agentFlags = Object.entries(table).map(([flag, s]) => ({ flag: `--${flag}`, env: s.env, default: s.def }));

/** Reads flags (which win) and the environment; throws AgentOptionError with one line. */
export function readAgentSettings(argv: string[], env: NodeJS.ProcessEnv): AgentSettings {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.keys(table).map((f) => [f, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new AgentOptionError((e as Error).message);
  }
  const out: Record<string, unknown> = { region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1' };
  for (const [flag, s] of Object.entries(table)) {
    const fromFlag = values[flag];
    const fromEnv = env[s.env];
    const raw = typeof fromFlag === 'string' ? fromFlag : fromEnv !== undefined && fromEnv !== '' ? fromEnv : s.def;
    if (raw === undefined) continue;
    const source = typeof fromFlag === 'string' || fromEnv === undefined || fromEnv === '' ? `--${flag}` : s.env;
    try {
      out[s.key] = s.parse(raw);
    } catch (e) {
      throw new AgentOptionError(`${source}: '${raw}' is not valid; expected ${(e as Error).message}`);
    }
  }
  return out as unknown as AgentSettings;
}
