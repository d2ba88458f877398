// Takes the README's console screenshot (docs/console.png): starts cairn with the embedded store, registers
// scripts/seed-example.ts's registry, and photographs the backend service's page in Debian's Chromium.
// Run: npx node scripts/console-screenshot.ts [out.png]
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';
import { pino } from 'pino';
import { sdkClient } from '../test/support/server.ts';
import { launchChromium } from '../test/browser/chromium.ts';
import { buildUi } from './build-ui.ts';
import { seedExample } from './seed-example.ts';

const out = process.argv[2] ?? 'docs/console.png';
await buildUi();
const server = await startServer(
  loadConfig(['--api-host', '127.0.0.1', '--api-port', '0', '--dns-host', '127.0.0.1', '--dns-port', '0'], {}),
  {
    log: pino({ level: 'silent' }),
  },
);
const endpoint = `http://127.0.0.1:${server.apiAddress.port}`;
const client = sdkClient(endpoint);
const chromium = await launchChromium();
try {
  await seedExample(client);
  const page = await chromium.page();
  await page.goto(`${endpoint}/ui/`);
  await page.getByRole('link', { name: 'kouzie.com' }).click();
  await page.getByRole('link', { name: 'backend' }).click();
  await page.locator('[data-instance="backend-3"] button.link').click();
  await page.locator('[data-live="following"], [data-live="polling"]').waitFor();
  await page.screenshot({ path: out, fullPage: true });
  process.stdout.write(`${out}\n`);
} finally {
  await chromium.close();
  client.destroy();
  await server.stop();
}
