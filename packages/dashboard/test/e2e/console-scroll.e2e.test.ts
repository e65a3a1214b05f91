import { type Fleet, uploadSampleImage } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

const SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ1Ym1sZS1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc4 ops@example';
const ENV_ID = 'tall';
const VM_COUNT = 4;

let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;

beforeAll(async () => {
  fleet = await startFleet(1);
  await uploadSampleImage(fleet.admin, 'alpine-cloud');
  await fleet.admin.createEnv({
    body: {
      id: ENV_ID,
      ssh_keys: [SSH_KEY],
      vms: Array.from({ length: VM_COUNT }, () => ({
        image: 'alpine-cloud',
        cpu: 1,
        mem: 512,
        disk: 10240,
      })),
    },
  });
  endpoint = await dashboardEndpoint(fleet.controller);
  browser = await launchBrowser(endpoint.url, { trustCertFile: fleet.controller.certFile });
});

afterAll(async () => {
  await browser?.close();
  await endpoint?.close();
  await fleet?.destroy();
});

/** Where an element's top edge is, relative to the viewport. Serialized into the page. */
function topInViewport(element: Element): { top: number; viewport: number } {
  return { top: element.getBoundingClientRect().top, viewport: window.innerHeight };
}

describe('the serial console panel', () => {
  it('scrolls into view when opened below the fold', async () => {
    const { page } = browser;
    // A short window: the panel opens under the VM list, well below what is shown.
    await page.setViewportSize({ width: 1280, height: 560 });
    await page.goto(`/envs/${ENV_ID}`);
    await page.fill('#login-username', fleet.bootstrap.adminUser);
    await page.fill('#login-password', fleet.bootstrap.adminPassword);
    await page.click('button[type=submit]');
    const view = page.getByTestId('env-view');
    await expect
      .poll(() => view.getAttribute('data-env-state'), { timeout: 60_000 })
      .toBe('active');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page
      .locator(`[data-testid=vm-row][data-vm-id="${ENV_ID}-0"]`)
      .getByTestId('open-serial')
      .click();
    const panel = page.getByTestId('console-panel');
    await panel.waitFor();
    await expect
      .poll(async () => {
        const { top, viewport } = await panel.evaluate(topInViewport);
        return top >= 0 && top < viewport - 120;
      })
      .toBe(true);
    await browser.shoot('25-console-in-view');
    expect(browser.pageErrors).toEqual([]);
  });
});
