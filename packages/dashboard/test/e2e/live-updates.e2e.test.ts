import type { ControllerClient } from '@apiary/protocol';
import type { Fleet } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;
let api: ControllerClient;

beforeAll(async () => {
  fleet = await startFleet(1);
  api = fleet.admin;
  endpoint = await dashboardEndpoint(fleet.controller);
  browser = await launchBrowser(endpoint.url, { trustCertFile: fleet.controller.certFile });
  const { page } = browser;
  await page.goto('/');
  await page.fill('#login-username', fleet.bootstrap.adminUser);
  await page.fill('#login-password', fleet.bootstrap.adminPassword);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=host-card]', { timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await endpoint?.close();
  await fleet?.destroy();
});

/** Drain (an empty host drains at once into maintenance) or activate, from outside the browser. */
async function setPolicyElsewhere(to: 'maintenance' | 'eligible') {
  const { items } = await api.listHosts();
  const id = items[0]!.id;
  if (to === 'maintenance') await api.drainHost({ params: { id }, body: { mode: 'wait' } });
  else await api.activateHost({ params: { id } });
}

const policy = () =>
  browser.page
    .locator('[data-testid=host-card] [data-testid=host-policy]')
    .getAttribute('data-policy');
const live = () => browser.page.getByTestId('live-status').getAttribute('data-live');

describe('live updates', () => {
  it('shows a change made elsewhere within seconds while the event stream is live', async () => {
    await expect.poll(live).toBe('live');
    const started = Date.now();
    await setPolicyElsewhere('maintenance');
    // The safety poll runs once a minute while live: seeing it this fast means an event did it.
    await expect.poll(policy, { timeout: 10_000 }).toBe('maintenance');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('falls back to polling when the event stream is unavailable, and comes back to live', async () => {
    const { page } = browser;
    await page.route('**/v1/events', (route) => route.abort('connectionrefused'));
    await page.reload();
    await expect.poll(live, { timeout: 15_000 }).toBe('polling');
    await browser.shoot('12-polling-fallback');
    await setPolicyElsewhere('eligible');
    await expect.poll(policy, { timeout: 15_000 }).toBe('eligible');
    await page.unroute('**/v1/events');
    await expect.poll(live, { timeout: 30_000 }).toBe('live');
    expect(browser.pageErrors).toEqual([]);
  });

  it('keeps the session across a reload and sends the operator to sign in again when it ends', async () => {
    const { page } = browser;
    await page.reload();
    await expect.poll(() => page.getByTestId('host-card').count()).toBe(1);
    await page.getByTitle('Sign out').click();
    await expect.poll(() => page.locator('#login-username').isVisible()).toBe(true);
    await page.reload();
    expect(await page.locator('#login-username').isVisible()).toBe(true);
  });
});
