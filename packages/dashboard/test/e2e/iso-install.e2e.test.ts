import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControllerClient } from '@apiary/protocol';
import { type Fleet, uploadSampleImage } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

/*
 * An ISO install from the browser (issue 13): an ISO uploaded through the dialog and listed as
 * one, an environment whose VM boots it onto an empty disk created from the form, and the VM's
 * VNC console opened for the install.
 */

const SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ1Ym1sZS1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc4 ops@example';
const ENV_ID = 'install-1';

let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;
let api: ControllerClient;

beforeAll(async () => {
  fleet = await startFleet(1);
  api = fleet.admin;
  // A disk image too: the form must keep it out of the ISO choices and the ISO out of these.
  await uploadSampleImage(api, 'alpine-cloud');
  endpoint = await dashboardEndpoint(fleet.controller);
  browser = await launchBrowser(endpoint.url, { trustCertFile: fleet.controller.certFile });
  const { page } = browser;
  await page.goto('/images');
  await page.fill('#login-username', fleet.bootstrap.adminUser);
  await page.fill('#login-password', fleet.bootstrap.adminPassword);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=images-table]');
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

describe('installing a VM from an ISO in the dashboard', () => {
  it('uploads an ISO, guessed from its file name, and lists it as one', () =>
    withLogs(async () => {
      const { page } = browser;
      const file = join(tmpdir(), `debian-12-${process.pid}.iso`);
      writeFileSync(file, `${'\0'.repeat(32768)}\u0001CD001\u0001 dashboard test`);
      onTestFinished(() => rmSync(file, { force: true }));
      await page.getByRole('button', { name: 'Upload image' }).first().click();
      await page.setInputFiles('#upload-file', file);
      expect(await page.inputValue('#upload-format')).toBe('iso');
      await page.fill('#upload-name', 'debian-12');
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      const row = page.locator('[data-testid=image-row]', { hasText: 'debian-12' });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.locator('td').nth(2).textContent()).toBe('ISO');
      await browser.shoot('20-iso-uploaded');
    }));

  it('creates an environment whose VM boots the ISO onto an empty disk', () =>
    withLogs(async () => {
      const { page } = browser;
      await page.getByTestId('nav-environments').click();
      await page.getByTestId('new-env').click();
      await page.fill('#env-id', ENV_ID);
      await page.fill('#env-ssh_keys', SSH_KEY);
      // Booting from an image offers disk images only.
      await expect.poll(() => page.inputValue('#env-image')).toBe('alpine-cloud');
      const imageChoices = await page.locator('#env-image option').allTextContents();
      expect(imageChoices.some((t) => t.includes('debian-12'))).toBe(false);
      await page.getByLabel('An ISO', { exact: false }).check();
      await expect.poll(() => page.inputValue('#env-boot_iso')).toBe('debian-12');
      const isoChoices = await page.locator('#env-boot_iso option').allTextContents();
      expect(isoChoices.some((t) => t.includes('alpine-cloud'))).toBe(false);
      expect(await page.locator('label[for=env-disk]').textContent()).toBe(
        'Empty disk per VM (MiB)',
      );
      await page.fill('#env-disk', '8192');
      await browser.shoot('21-create-iso-environment', { fullPage: true });
      await page.getByTestId('create-env-submit').click();

      const view = page.getByTestId('env-view');
      await expect
        .poll(() => view.getAttribute('data-env-state'), { timeout: 60_000 })
        .toBe('active');
      const row = page.locator(`[data-testid=vm-row][data-vm-id="${ENV_ID}-0"]`);
      await expect
        .poll(() => row.getByTestId('vm-state').getAttribute('data-state'))
        .toBe('running');
      expect(await row.getByTestId('vm-image').textContent()).toBe('installs from debian-12 (ISO)');
      const vm = await api.getVm({ params: { id: `${ENV_ID}-0` } });
      expect(vm).toMatchObject({ boot_iso: true, image: 'debian-12', disk: 8192 });
    }));

  it('opens the VNC console of the VM to install it by hand', () =>
    withLogs(async () => {
      const { page } = browser;
      await page
        .locator(`[data-testid=vm-row][data-vm-id="${ENV_ID}-0"]`)
        .getByTestId('open-vnc')
        .click();
      await expect
        .poll(() => page.getByTestId('console-status').getAttribute('data-state'), {
          timeout: 20_000,
        })
        .toBe('open');
      await browser.shoot('22-iso-vm-vnc-console');
      expect(browser.pageErrors).toEqual([]);
    }));
});
