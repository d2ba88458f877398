// The agent's public surface: a separate process (`cairn agent`, `npm run agent`) that keeps Cloud Map in step
// with the labelled containers of one Docker host, through the Cloud Map API only (docs in the README).
import { pino } from 'pino';
import { redactSecrets } from '../model/redact.ts';
import { runAgent, type Agent } from './agent.ts';
import { AgentOptionError, readAgentSettings, usage } from './options.ts';

export { runAgent, type Agent, type AgentOptions } from './agent.ts';
export { readLabels, type ContainerView } from './labels.ts';
export { plan, type Owned, type Resolved } from './planner.ts';
export { readAgentSettings, AgentOptionError, agentFlags, usage } from './options.ts';
export { backoffDelay } from './backoff.ts';
export { eventContainer } from './docker.ts';

/** `cairn agent <flags>`: runs until SIGTERM or SIGINT; exit 2 on a bad flag, 1 when it cannot start. */
export async function agentMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let settings;
  try {
    settings = readAgentSettings(argv, env);
  } catch (e) {
    if (!(e instanceof AgentOptionError)) throw e;
    process.stderr.write(`cairn agent: ${e.message}\n${usage}\n`);
    process.exit(2);
  }
  const log = pino({ level: settings.logLevel, base: { app: 'cairn-agent' } });
  let agent: Agent | undefined;
  let signalled = false;
  const shutdown = (signal: string): void => {
    if (signalled) return;
    signalled = true;
    log.info({ signal }, 'stopping');
    if (agent === undefined) process.exit(0); // still waiting for Docker: nothing to finish
    setTimeout(() => process.exit(1), 8000).unref();
    agent.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    agent = await runAgent({ ...settings, log });
  } catch (e) {
    process.stderr.write(`cairn agent: failed to start: ${redactSecrets((e as Error).message)}\n`);
    process.exit(1);
  }
}
