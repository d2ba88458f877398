// The agent's settings (flags win over CAIRN_AGENT_*), its exit code 2 with a usage line on a bad flag, the
// backoff it retries with, and how it reads the engine's event stream.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentOptionError, agentFlags, backoffDelay, eventContainer, readAgentSettings } from '../../src/agent/index.ts';

describe('agent settings', () => {
  it('has defaults, reads the environment, and lets flags win', () => {
    expect(readAgentSettings([], {})).toEqual({
      region: 'us-east-1',
      dockerSocket: '/var/run/docker.sock',
      resyncIntervalMs: 60_000,
      callTimeoutMs: 5000,
      logLevel: 'info',
    });
    const env = {
      CAIRN_AGENT_ENDPOINT: 'http://cairn:8080/',
      CAIRN_AGENT_NAMESPACE: 'kouzie.com',
      CAIRN_AGENT_ID: 'h1',
      AWS_REGION: 'eu-west-1',
    };
    expect(readAgentSettings([], env)).toMatchObject({
      endpoint: 'http://cairn:8080',
      namespace: 'kouzie.com',
      agentId: 'h1',
      region: 'eu-west-1',
    });
    expect(readAgentSettings(['--only-label', 'com.docker.compose.project=shop'], {})).toMatchObject({
      onlyLabel: 'com.docker.compose.project=shop',
    });
    expect(readAgentSettings(['--namespace', 'x.test', '--region', 'ap-south-1', '--resync-interval', '2m'], env)).toMatchObject({
      namespace: 'x.test',
      region: 'ap-south-1',
      resyncIntervalMs: 120_000,
    });
  });

  it.each([
    [['--endpoint', 'cairn:8080'], "--endpoint: 'cairn:8080' is not valid; expected an http:// or https:// URL"],
    [['--resync-interval', '10'], "--resync-interval: '10' is not valid; expected a duration with a unit"],
    [['--call-timeout', '1ms'], "--call-timeout: '1ms' is not valid"],
    [['--log-level', 'loud'], "--log-level: 'loud' is not valid"],
    [['--only-label', 'a b'], "--only-label: 'a b' is not valid; expected KEY or KEY=VALUE"],
    [['--no-such-flag'], "Unknown option '--no-such-flag'"],
    [['stray'], 'positional argument'],
  ])('%j is refused with one line', (argv, message) => {
    expect(() => readAgentSettings(argv, {})).toThrow(AgentOptionError);
    expect(() => readAgentSettings(argv, {})).toThrow(message);
  });

  it('names the environment variable when the bad value came from it', () => {
    expect(() => readAgentSettings([], { CAIRN_AGENT_CALL_TIMEOUT: 'soon' })).toThrow("CAIRN_AGENT_CALL_TIMEOUT: 'soon' is not valid");
  });

  it('`cairn agent` exits 2 with the usage line on a bad flag', () => {
    const r = spawnSync(process.execPath, ['src/main.ts', 'agent', '--endpoint', 'nope'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("cairn agent: --endpoint: 'nope' is not valid");
    expect(r.stderr).toContain('usage: cairn agent [--endpoint URL]');
  });
});

describe("the README's agent settings table", () => {
  it('lists every flag with its environment variable and default', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const f of agentFlags) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${f.flag}\` | \`${f.env}\` |`));
      expect(row, f.flag).toBeDefined();
      if (f.default !== undefined) expect(row).toContain(`| \`${f.default}\` |`);
    }
  });
});

describe('agent backoff', () => {
  it('doubles from the first delay up to the cap, with jitter between half and all of it', () => {
    const b = { firstMs: 200, maxMs: 5000 };
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(b, n, () => 1))).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(backoffDelay(b, 3, () => 0)).toBe(800);
    expect(backoffDelay(b, 1e6, () => 1)).toBe(5000);
  });
});

describe('the engine event stream', () => {
  it('takes the container id of container events and ignores everything else', () => {
    expect(eventContainer('{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"name":"web"}}}')).toBe('abc');
    expect(eventContainer('{"status":"die","id":"def"}')).toBe('def');
    expect(eventContainer('{"Type":"network","Action":"connect","Actor":{"ID":"n1"}}')).toBeUndefined();
    expect(eventContainer('not json')).toBeUndefined();
    expect(eventContainer('{"Type":"container","Actor":{}}')).toBeUndefined();
  });
});
