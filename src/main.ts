// Entry point: read the configuration, start a replica, and stop it cleanly on SIGTERM or SIGINT.
import { ConfigError, loadConfig } from './config.ts';
import { redactSecrets } from './model/redact.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`cairn: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const server = await startServer(config);
  let signalled = false;
  const shutdown = (signal: string): void => {
    if (signalled) return;
    signalled = true;
    server.log.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 8000);
    force.unref();
    server.stop().then(() => process.exit(0), (e: unknown) => {
      server.log.error({ err: e }, 'stop failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

// `cairn agent …` is the Docker agent, a separate process that only speaks the Cloud Map API.
const run = process.argv[2] === 'agent' ? import('./agent/index.ts').then((a) => a.agentMain(process.argv.slice(3))) : main();
run.catch((e: unknown) => {
  process.stderr.write(`cairn: failed to start: ${redactSecrets((e as Error).message)}\n`);
  process.exit(1);
});
