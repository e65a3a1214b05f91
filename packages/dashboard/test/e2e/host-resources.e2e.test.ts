import type { Fleet } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

/*
 * A host's page (issue 14): links, networks, pools and datasets of a real agent on a simulated
 * host, a network and a dataset made through their dialogs (the schema speaking first), a
 * dataset destroyed after a confirmation, Apiary's own rows marked and without delete.
 */
let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;
let hostId: string;

beforeAll(async () => {
  fleet = await startFleet(1);
  hostId = fleet.agents[0]?.hostId as string;
  endpoint = await dashboardEndpoint(fleet.controller);
  browser = await launchBrowser(endpoint.url, { trustCertFile: fleet.controller.certFile });
  const { page } = browser;
  await page.goto('/');
  await page.fill('#login-username', fleet.bootstrap.adminUser);
  await page.fill('#login-password', fleet.bootstrap.adminPassword);
  await page.click('button[type=submit]');
  await page.getByTestId('signed-in-user').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await endpoint?.close();
  await fleet?.destroy();
});

function withLogs<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    process.stderr.write(`\n${fleet.logs()}\n`);
    throw error;
  });
}

describe("a host's links, networks, pools and datasets", () => {
  it("shows them with Apiary's rows marked and without delete", () =>
    withLogs(async () => {
      const { page } = browser;
      await page.goto(`/hosts/${hostId}`);
      const stub = page.getByTestId('link-apiarystub0');
      await stub.waitFor({ timeout: 30_000 });
      expect(await stub.getAttribute('data-owner')).toBe('apiary');
      expect(await stub.getByRole('button').count()).toBe(0);
      await page.getByTestId('network-nat').waitFor();
      expect(await page.getByTestId('network-nat').getByRole('button').count()).toBe(0);
      const apiary = page.getByTestId('dataset-rpool/apiary');
      await apiary.waitFor();
      expect(await apiary.getAttribute('data-owner')).toBe('apiary');
      expect(await apiary.getByRole('button', { name: 'Destroy' }).count()).toBe(0);
      expect(await page.getByTestId('vdevs-rpool').locator('li').count()).toBeGreaterThan(0);
      await browser.shoot('40-host-resources');
    }));

  it('creates a bridged network with a VLAN through its dialog', () =>
    withLogs(async () => {
      const { page } = browser;
      await page.getByRole('button', { name: 'Create network' }).click();
      const dialog = page.getByTestId('create-network-dialog');
      await page.fill('#network-name', 'lan');
      await page.fill('#network-link', 'e1000g0');
      await page.fill('#network-vlan', 'twelve');
      await dialog.getByRole('button', { name: 'Create' }).click();
      // The protocol's schema refuses it before anything is sent.
      await expect.poll(() => page.getByTestId('error-network-vlan').textContent()).toBeTruthy();
      expect((await fleet.admin.listHostNetworks({ params: { id: hostId } })).items).toHaveLength(
        1,
      );
      await page.fill('#network-vlan', '12');
      await dialog.getByRole('button', { name: 'Create' }).click();
      const row = page.getByTestId('network-lan');
      await row.waitFor({ timeout: 20_000 });
      expect(await row.textContent()).toContain('bridged');
      const networks = await fleet.admin.listHostNetworks({ params: { id: hostId } });
      expect(networks.items.find((n) => n.name === 'lan')).toMatchObject({ vlan: 12 });
    }));

  it('creates a dataset, then destroys it after a confirmation', () =>
    withLogs(async () => {
      const { page } = browser;
      await page.getByRole('button', { name: 'Create dataset' }).click();
      const dialog = page.getByTestId('create-dataset-dialog');
      await page.fill('#dataset-name', 'rpool/scratch');
      await page.fill('#dataset-quota', '2G');
      await dialog.getByRole('button', { name: 'Create' }).click();
      const row = page.getByTestId('dataset-rpool/scratch');
      await row.waitFor({ timeout: 20_000 });
      expect(await row.getAttribute('data-owner')).toBe('api');
      expect(await row.textContent()).toContain('2 GiB');

      await row.getByRole('button', { name: 'Destroy' }).click();
      await page.getByTestId('confirm-button').click();
      await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(0);
      const left = await fleet.admin.listHostDatasets({ params: { id: hostId }, query: {} });
      expect(left.items.map((d) => d.name)).not.toContain('rpool/scratch');
    }));
});
