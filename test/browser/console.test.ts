// The console in a real Chromium against a real cairn (no --credentials): it lists what the SDK registered
// with its health, follows registrations and health flips without a reload, filters through
// DiscoverInstances, deregisters after a confirmation, and shows the operations log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  ListInstancesCommand,
  RegisterInstanceCommand,
  UpdateInstanceCustomHealthStatusCommand,
} from '@aws-sdk/client-servicediscovery';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium, screenshot, type Chromium } from './chromium.ts';

let t: TestServer;
let chromium: Chromium;
let page: Page;
let serviceId: string;

const row = (id: string) => page.locator(`tr[data-instance="${id}"]`);
const register = (id: string, attributes: Record<string, string>) =>
  t.client.send(new RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: id, Attributes: attributes }));

beforeAll(async () => {
  t = await startTestServer();
  chromium = await launchChromium();
  page = await chromium.page();
  const created = await t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'kouzie.com' }));
  const op = await t.client.send(new GetOperationCommand({ OperationId: created.OperationId }));
  const service = await t.client.send(
    new CreateServiceCommand({
      Name: 'backend',
      NamespaceId: op.Operation!.Targets!.NAMESPACE,
      DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
    }),
  );
  serviceId = service.Service!.Id!;
  await register('backend-1', { AWS_INSTANCE_IPV4: '192.168.10.2', stage: 'beta' });
  await register('backend-2', { AWS_INSTANCE_IPV4: '192.168.10.3', stage: 'prod' });
  await t.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: serviceId, InstanceId: 'backend-2', Status: 'UNHEALTHY' }));
});

afterAll(async () => {
  await chromium?.close();
  await t?.stop();
});

describe('the console', () => {
  it('lists the namespaces, services and instances the SDK registered, with their health', async () => {
    await page.goto(`${t.endpoint}/ui/`);
    await expect(page.locator('[data-open="true"]').textContent()).resolves.toContain('This registry is open');
    const ns = page.locator('tr[data-namespace="kouzie.com"]');
    await expect.poll(() => ns.locator('td').nth(2).textContent()).toBe('1'); // services
    await expect.poll(() => ns.locator('td').nth(3).textContent()).toBe('2'); // instances
    await ns.getByRole('link', { name: 'kouzie.com' }).click();
    const svc = page.locator('tr[data-service="backend"]');
    await expect.poll(() => svc.textContent()).toMatch(/MULTIVALUE.*A 60s.*custom.*1 healthy.*1 unhealthy/);
    await svc.getByRole('link', { name: 'backend' }).click();
    await expect.poll(() => row('backend-1').locator('[data-health]').getAttribute('data-health')).toBe('HEALTHY');
    await expect(row('backend-2').locator('[data-health]').getAttribute('data-health')).resolves.toBe('UNHEALTHY');
    await expect(row('backend-1').textContent()).resolves.toContain('AWS_INSTANCE_IPV4=192.168.10.2');
    await screenshot(page, 'lists-what-the-sdk-registered');
  });

  it('shows a registration through the SDK within a second, without a reload', async () => {
    // Following the watch stream, not polling.
    await page.locator('[data-live="following"]').waitFor();
    await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
    const started = Date.now();
    await register('backend-3', { AWS_INSTANCE_IPV4: '192.168.10.4', stage: 'prod' });
    await row('backend-3').waitFor({ timeout: 1500 });
    const ms = Date.now() - started;
    expect(ms).toBeLessThan(1500);
    await expect(page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).resolves.toBe(true);
    await screenshot(page, 'registration-appears');
  });

  it("changes an instance's badge when its health flips, and its timeline shows the flip", async () => {
    await t.client.send(
      new UpdateInstanceCustomHealthStatusCommand({ ServiceId: serviceId, InstanceId: 'backend-1', Status: 'UNHEALTHY' }),
    );
    await row('backend-1').locator('[data-health="UNHEALTHY"]').waitFor({ timeout: 1500 });
    await row('backend-1').getByRole('button', { name: 'backend-1' }).click();
    const flips = page.locator('tr.detail .flips li');
    await expect
      .poll(() => flips.allTextContents())
      .toEqual([expect.stringMatching(/^unhealthy since/), expect.stringMatching(/^healthy since/)]);
    await screenshot(page, 'health-flip');
  });

  it('filters instances by attribute through DiscoverInstances, and by the search box', async () => {
    await page.getByLabel('attribute filter').fill('stage=prod');
    await page.getByLabel('attribute filter').press('Enter');
    await page.getByText('Showing DiscoverInstances').waitFor();
    await expect
      .poll(() =>
        page
          .locator('tr[data-instance]')
          .evaluateAll((rows: { getAttribute(name: string): string | null }[]) => rows.map((r) => r.getAttribute('data-instance'))),
      )
      .toEqual(['backend-2', 'backend-3']);
    await page.getByRole('searchbox').fill('192.168.10.4');
    await expect.poll(() => page.locator('tr[data-instance]').count()).toBe(1);
    await screenshot(page, 'attribute-filter');
    await page.getByRole('searchbox').fill('');
    await page.getByRole('button', { name: 'remove filter' }).click();
    await row('backend-1').waitFor();
  });

  it('deregisters an instance only once the operator confirms', async () => {
    await row('backend-2').getByRole('button', { name: 'Deregister' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.textContent()).resolves.toContain('Deregister backend-2?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const ids = async () => (await t.client.send(new ListInstancesCommand({ ServiceId: serviceId }))).Instances!.map((i) => i.Id);
    await expect(ids()).resolves.toContain('backend-2');

    await row('backend-2').getByRole('button', { name: 'Deregister' }).click();
    await screenshot(page, 'deregister-confirm');
    await dialog.getByRole('button', { name: 'Deregister' }).click();
    await row('backend-2').waitFor({ state: 'detached' });
    await expect(ids()).resolves.toEqual(['backend-1', 'backend-3']);
    await screenshot(page, 'deregistered');
  });

  it('shows the operations log, each operation with its type, status and targets', async () => {
    await page.getByRole('link', { name: 'Operations' }).click();
    const rows = page.locator('tr[data-operation]');
    await rows.first().waitFor();
    const types = () => rows.locator('td:nth-child(2)').allTextContents();
    await expect
      .poll(async () => (await types()).sort())
      .toEqual(['CREATE_NAMESPACE', 'DEREGISTER_INSTANCE', 'REGISTER_INSTANCE', 'REGISTER_INSTANCE', 'REGISTER_INSTANCE']);
    await screenshot(page, 'operations');
  });
});
