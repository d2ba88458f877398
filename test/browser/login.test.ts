// With --credentials the console asks for a key once per browser session, refuses a wrong secret, and
// signs every request with the right one (the Cloud Map calls and the console's own GETs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateHttpNamespaceCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium, screenshot, type Chromium } from './chromium.ts';

const KEY = 'AKIDCONSOLE';
const SECRET = 'console-test-secret';
let t: TestServer;
let chromium: Chromium;
let page: Page;

beforeAll(async () => {
  t = await startTestServer({ flags: ['--credentials', `${KEY}:${SECRET}`] });
  const signed = new ServiceDiscoveryClient({
    endpoint: t.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: KEY, secretAccessKey: SECRET },
    disableHostPrefix: true,
    maxAttempts: 1,
  });
  await signed.send(new CreateHttpNamespaceCommand({ Name: 'signed-only' }));
  signed.destroy();
  chromium = await launchChromium();
  page = await chromium.page();
});

afterAll(async () => {
  await chromium?.close();
  await t?.stop();
});

const signIn = async (key: string, secret: string) => {
  await page.getByLabel('Access key ID').fill(key);
  await page.getByLabel('Secret access key').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
};

describe('the console with --credentials', () => {
  it('asks for a key and refuses a wrong secret', async () => {
    await page.goto(`${t.endpoint}/ui/`);
    await page.getByRole('heading', { name: 'Sign in to cairn' }).waitFor();
    await signIn(KEY, 'not-the-secret');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/^Refused: The request signature we calculated does not match/);
    await expect(page.locator('[data-table="namespaces"]').count()).resolves.toBe(0);
    await screenshot(page, 'login-refused');
  });

  it('signs in with the right secret, once per browser session', async () => {
    await signIn(KEY, SECRET);
    await page.locator('tr[data-namespace="signed-only"]').waitFor();
    await expect(page.locator('header').textContent()).resolves.toContain(`signed in as ${KEY}`);
    await expect(page.locator('[data-open="true"]').count()).resolves.toBe(0);
    await screenshot(page, 'login-accepted');
    await page.reload(); // same tab, same session: no second prompt
    await page.locator('tr[data-namespace="signed-only"]').waitFor();
    await expect(page.getByRole('heading', { name: 'Sign in to cairn' }).count()).resolves.toBe(0);
  });

  it("signs the console's own GETs: a namespace's page loads its services' health", async () => {
    await page.getByRole('link', { name: 'signed-only' }).click();
    await page.getByText('No services in this namespace.').waitFor();
    const unsigned = await fetch(`${t.endpoint}/v1/console/services/srv-none/instances`);
    expect(unsigned.status).toBe(403);
  });

  it('forgets the key on "Sign out"', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to cairn' }).waitFor();
    await expect(page.evaluate(() => sessionStorage.length)).resolves.toBe(0);
  });
});
