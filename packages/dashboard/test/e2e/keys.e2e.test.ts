import type { Fleet } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;

beforeAll(async () => {
  fleet = await startFleet(0);
  endpoint = await dashboardEndpoint(fleet.controller);
  browser = await launchBrowser(endpoint.url, { trustCertFile: fleet.controller.certFile });
  const { page } = browser;
  await page.goto('/keys');
  await page.fill('#login-username', fleet.bootstrap.adminUser);
  await page.fill('#login-password', fleet.bootstrap.adminPassword);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=api-keys] table');
});

afterAll(async () => {
  await browser?.close();
  await endpoint?.close();
  await fleet?.destroy();
});

const whoamiWith = (key: string) =>
  fleet.controller.fetch('/v1/auth/whoami', { headers: { authorization: `Bearer ${key}` } });

describe('keys', () => {
  it('creates an API key, shows it once, and revokes it so it stops working', async () => {
    const { page } = browser;
    const section = page.getByTestId('api-keys');
    await section.getByRole('button', { name: 'New API key' }).click();
    await page.fill('#api-key-name', 'ci-runner');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('secret-value').textContent()) ?? '';
    expect(secret).toMatch(/^apy_/);
    await browser.shoot('15-api-key-shown-once');
    expect((await whoamiWith(secret)).status).toBe(200);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByTestId('secret-value').count()).toBe(0);
    const row = section.locator('tr', { hasText: 'ci-runner' });
    expect(await row.textContent()).toContain(`${secret.slice(0, 8)}`);
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByTestId('confirm-button').click();
    await expect.poll(() => row.locator('[data-state=revoked]').count()).toBe(1);
    expect((await whoamiWith(secret)).status).toBe(401);
  });

  it('creates an API key limited to the scopes ticked', async () => {
    const { page } = browser;
    const section = page.getByTestId('api-keys');
    await section.getByRole('button', { name: 'New API key' }).click();
    await page.fill('#api-key-name', 'reader');
    await page.getByTestId('api-key-scopes').getByLabel('envs:read').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('secret-value').textContent()) ?? '';
    await page.getByRole('button', { name: 'I have stored it' }).click();
    const envs = await fleet.controller.fetch('/v1/envs', {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(envs.status).toBe(200);
    const hosts = await fleet.controller.fetch('/v1/hosts', {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(hosts.status).toBe(403);
    const row = section.locator('tr', { hasText: 'reader' });
    expect(await row.textContent()).toContain('envs:read');
  });

  it('creates a license key that an agent could register with', async () => {
    const { page } = browser;
    const section = page.getByTestId('license-keys');
    await section.getByRole('button', { name: 'New license key' }).click();
    await page.fill('#license-key-name', 'rack-3');
    await page.getByRole('button', { name: 'Create key' }).click();
    expect(await page.getByTestId('secret-value').textContent()).toMatch(/^apl_/);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect.poll(() => section.locator('tr', { hasText: 'rack-3' }).count()).toBe(1);
    await browser.shoot('16-keys');
    expect(browser.pageErrors).toEqual([]);
  });

  it('shows the validation message of the protocol schema before sending', async () => {
    const { page } = browser;
    await page.getByTestId('license-keys').getByRole('button', { name: 'New license key' }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => page.getByTestId('error-license-key-name').textContent()).toBeTruthy();
    await page.keyboard.press('Escape');
  });
});
