// Takes the README's console screenshot (docs/console.png): starts cairn with the embedded store, registers
// scripts/seed-example.ts's registry, and photographs the backend service's page in Debian's Chromium.
// Run: npx node scripts/console-screenshot.ts [out.png]
import { startTestServer } from '../test/support/server.ts';
import { launchChromium } from '../test/browser/chromium.ts';
import { buildUi } from './build-ui.ts';
import { seedExample } from './seed-example.ts';

const out = process.argv[2] ?? 'docs/console.png';
await buildUi();
const t = await startTestServer();
const chromium = await launchChromium();
try {
  await seedExample(t.client);
  const page = await chromium.page();
  await page.goto(`${t.endpoint}/ui/`);
  await page.getByRole('link', { name: 'kouzie.com' }).click();
  await page.getByRole('link', { name: 'backend' }).click();
  await page.locator('[data-instance="backend-3"] button.link').click();
  await page.locator('[data-live="following"], [data-live="polling"]').waitFor();
  await page.screenshot({ path: out, fullPage: true });
  process.stdout.write(`${out}\n`);
} finally {
  await chromium.close();
  await t.stop();
}
