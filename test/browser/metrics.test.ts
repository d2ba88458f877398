// The front page draws DNS queries per second and answers by rcode from /metrics, sampled while it is open,
// and says why it draws nothing when the API port does not publish /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { udp } from '../dns/dns-client.ts';
import { launchChromium, screenshot, type Chromium } from './chromium.ts';

let t: TestServer;
let chromium: Chromium;
let page: Page;

beforeAll(async () => {
  t = await startTestServer();
  chromium = await launchChromium();
  page = await chromium.page();
});

afterAll(async () => {
  await chromium?.close();
  await t?.stop();
});

describe('the front page', () => {
  it('draws DNS queries per second and answers by rcode after some queries', async () => {
    expect((await fetch(`${t.endpoint}/metrics`)).status).toBe(200);
    await page.goto(`${t.endpoint}/ui/`);
    const deadline = Date.now() + 10_000;
    const latest = () => page.locator('[data-latest="queries"]').textContent();
    while (Date.now() < deadline && !(Number(await latest()) > 0)) {
      for (let i = 0; i < 20; i++) await udp(t.server.dnsAddress.port, { name: `nothing-${i}.example.`, type: 'A' });
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(Number(await latest())).toBeGreaterThan(0);
    await expect(page.locator('[data-chart="Answers by rcode"] .legend').textContent()).resolves.toMatch(/REFUSED|NXDOMAIN|NOERROR/);
    await screenshot(page, 'metrics');
  });

  it('says there is nothing to draw when /metrics lives on a listener of its own (--metrics-port)', async () => {
    const internal = await startTestServer({ flags: ['--metrics-port', '0'] });
    try {
      await page.goto(`${internal.endpoint}/ui/`);
      const section = page.locator('section.charts');
      await expect.poll(() => section.getAttribute('data-metrics')).toBe('absent');
      await expect(section.textContent()).resolves.toContain('does not publish /metrics');
      await screenshot(page, 'metrics-absent');
    } finally {
      await internal.stop();
    }
  });
});
