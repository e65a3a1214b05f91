import type { AgentDaemon, Fleet } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;
/** A standalone agent (no --controller, no license key): a host an operator adds by address. */
let agent: AgentDaemon;

beforeAll(async () => {
  fleet = await startFleet(0);
  agent = await fleet.addAgent({ register: false });
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

describe('add a host by address', () => {
  it('tests the connection, shows the certificate fingerprint to compare, pins it and adds the host', () =>
    withLogs(async () => {
      const { page } = browser;
      const key = await agent.createKey('operator');
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));

      await page.getByRole('button', { name: 'Add host' }).click();
      const dialog = page.getByTestId('add-host-dialog');
      // The protocol's schema speaks first: a key of the wrong shape is refused before sending.
      await page.fill('#add-host-addr', agent.url);
      await page.fill('#add-host-secret', 'not-a-key');
      await dialog.getByTestId('test-connection').click();
      await expect.poll(() => page.getByTestId('error-add-host-secret').textContent()).toBeTruthy();
      await page.fill('#add-host-secret', key);

      // Without a fingerprint the controller only looks at the certificate the agent presents.
      await dialog.getByTestId('test-connection').click();
      const result = page.getByTestId('connection-test');
      await expect.poll(() => result.getAttribute('data-result')).toBe('certificate_unknown');
      expect(await page.getByTestId('test-fingerprint').textContent()).toBe(agent.fingerprint);
      await browser.shoot('23-add-host-certificate');

      await dialog.getByRole('button', { name: 'It matches: pin it' }).click();
      expect(await page.inputValue('#add-host-fingerprint')).toBe(agent.fingerprint);
      await dialog.getByTestId('test-connection').click();
      await expect.poll(() => result.getAttribute('data-result')).toBe('ok');
      expect(await page.getByTestId('test-agent-version').textContent()).toMatch(/\(API \d/);
      expect(await page.getByTestId('test-fingerprint').textContent()).toBe(agent.fingerprint);

      await dialog.getByRole('button', { name: 'Add host' }).click();
      const card = page.locator(`[data-testid=host-card][data-host-id="${agent.hostId}"]`);
      await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(1);
      const host = await fleet.admin.getHost({ params: { id: agent.hostId } });
      expect(host.source).toBe('added');
      expect(host.tls).toMatchObject({ state: 'pinned', fingerprint: agent.fingerprint });
      await browser.shoot('24-host-added');

      // The key went in request bodies only: never in a URL, never in the browser's storage.
      expect(requests.some((url) => url.includes(key))).toBe(false);
      const stored = await page.evaluate(() =>
        JSON.stringify({ ...localStorage, ...sessionStorage }),
      );
      expect(stored).not.toContain(key);
      expect(browser.pageErrors).toEqual([]);
    }));
});
