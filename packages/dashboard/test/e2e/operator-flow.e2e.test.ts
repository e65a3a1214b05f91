import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControllerClient } from '@apiary/protocol';
import { type Fleet, sampleImage } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

// A well-formed ed25519 public key (the blob starts with its own key type, as OpenSSH writes it).
const SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ1Ym1sZS1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc4 ops@example';
const ENV_ID = 'web-1';
const VM_COUNT = 3;

let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;
let api: ControllerClient;

beforeAll(async () => {
  fleet = await startFleet(3);
  api = fleet.admin;
  endpoint = await dashboardEndpoint(fleet.controller);
  browser = await launchBrowser(endpoint.url, { trustCertFile: fleet.controller.certFile });
});

afterAll(async () => {
  await browser?.close();
  await endpoint?.close();
  await fleet?.destroy();
});

/** Pixels of a canvas brighter than mid-grey. Serialized into the page: no outside names. */
function countLightPixels(canvas: HTMLCanvasElement): number {
  const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
  let light = 0;
  for (let i = 0; data && i < data.length; i += 4) if ((data[i] ?? 0) > 150) light++;
  return light;
}

/** On failure, show what the programs said: the browser only shows the symptom. */
function withLogs<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    process.stderr.write(`\n${fleet.logs()}\n`);
    throw error;
  });
}

describe('the dashboard, driving a real controller with three agents on simulated hosts', () => {
  it('signs in with the bootstrap password and shows three green hosts', () =>
    withLogs(async () => {
      const { page } = browser;
      await page.goto('/');
      await expect.poll(() => page.locator('#login-username').isVisible()).toBe(true);
      await browser.shoot('01-login');
      await page.fill('#login-username', fleet.bootstrap.adminUser);
      await page.fill('#login-password', 'not the password');
      await page.click('button[type=submit]');
      await expect.poll(() => page.getByTestId('login-error').textContent()).toBeTruthy();
      await page.fill('#login-password', fleet.bootstrap.adminPassword);
      await page.click('button[type=submit]');
      const ready = page.locator('[data-testid=host-card] [data-liveness=ready]');
      await expect.poll(() => ready.count(), { timeout: 30_000 }).toBe(3);
      await expect
        .poll(() => page.getByTestId('live-status').getAttribute('data-live'))
        .toBe('live');
      // Green means green: the dot carries the color class, not only the word.
      expect(await page.locator('[data-testid=host-card] .dot-green').count()).toBe(3);
      expect(await page.getByTestId('signed-in-user').textContent()).toBe(
        fleet.bootstrap.adminUser,
      );
      await browser.shoot('02-fleet-three-ready-hosts');
    }));

  it('uploads an image through the upload dialog', () =>
    withLogs(async () => {
      const { page } = browser;
      const image = await sampleImage();
      const file = join(tmpdir(), `alpine-cloud-${process.pid}.zfs`);
      writeFileSync(file, image.stream);
      onTestFinished(() => rmSync(file, { force: true }));
      await page.getByTestId('nav-images').click();
      await page.getByRole('button', { name: 'Upload image' }).first().click();
      await page.setInputFiles('#upload-file', file);
      expect(await page.inputValue('#upload-name')).toMatch(/^alpine-cloud-\d+$/);
      await page.fill('#upload-name', 'alpine-cloud');
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      const row = page.locator('[data-testid=image-row]', { hasText: 'alpine-cloud' });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain(image.digest.slice(7, 19));
      await browser.shoot('03-image-uploaded');
    }));

  it('creates an environment and shows its VMs running, with IPs and port maps', () =>
    withLogs(async () => {
      const { page } = browser;
      await page.getByTestId('nav-environments').click();
      await page.getByTestId('new-env').click();
      // The protocol's own rules speak first, before anything is sent.
      await page.fill('#env-id', 'Web 1');
      await page.getByTestId('create-env-submit').click();
      await expect.poll(() => page.getByTestId('error-env-id').textContent()).toMatch(/lowercase/);
      await page.fill('#env-id', ENV_ID);
      await page.fill('#env-count', String(VM_COUNT));
      await page.fill('#env-ports', '80, 443');
      await page.fill('#env-ssh_keys', SSH_KEY);
      await expect.poll(() => page.inputValue('#env-image')).toBe('alpine-cloud');
      await browser.shoot('04-create-environment', { fullPage: true });
      await page.getByTestId('create-env-submit').click();

      // Live updates carry the page from creating to active: no reload happens here.
      const view = page.getByTestId('env-view');
      await expect
        .poll(() => view.getAttribute('data-env-state'), { timeout: 60_000 })
        .toBe('active');
      const states = page.locator('[data-testid=vm-row] [data-testid=vm-state]');
      await expect
        .poll(
          async () =>
            await states.evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))),
        )
        .toEqual(Array(VM_COUNT).fill('running'));
      const env = await api.getEnv({ params: { id: ENV_ID } });
      for (const vm of env.vms) {
        const row = page.locator(`[data-testid=vm-row][data-vm-id="${vm.id}"]`);
        expect(await row.textContent()).toContain(vm.ip ?? 'no ip');
        expect(await row.getByTestId('port-map').textContent()).toContain(
          `:${vm.port_map['22']} → 22`,
        );
      }
      await browser.shoot('05-environment-running');
    }));

  it('opens a serial console through the controller and reads the login prompt', () =>
    withLogs(async () => {
      const { page } = browser;
      await page
        .locator(`[data-testid=vm-row][data-vm-id="${ENV_ID}-0"]`)
        .getByTestId('open-serial')
        .click();
      const terminal = page.getByTestId('serial-console');
      await expect
        .poll(() => page.getByTestId('console-status').getAttribute('data-state'), {
          timeout: 20_000,
        })
        .toBe('open');
      const rows = terminal.locator('.xterm-rows');
      await expect
        .poll(() => rows.textContent(), { timeout: 20_000 })
        .toMatch(new RegExp(`${ENV_ID}-[a-z2-7]{8}-0 console login:`)); // the guest's name: its zone
      // Keystrokes reach the guest's getty on the simulated host, which answers.
      await terminal.click();
      await page.keyboard.type('root');
      await page.keyboard.press('Enter');
      await expect.poll(() => rows.textContent(), { timeout: 10_000 }).toContain('Password:');
      await browser.shoot('06-serial-console');
    }));

  it("connects noVNC to the VM's display through the controller", () =>
    withLogs(async () => {
      const { page } = browser;
      await page
        .locator(`[data-testid=vm-row][data-vm-id="${ENV_ID}-0"]`)
        .getByTestId('open-vnc')
        .click();
      // noVNC reports "connect" only after the RFB handshake with the VM's display completed.
      await expect
        .poll(() => page.getByTestId('console-status').getAttribute('data-state'), {
          timeout: 20_000,
        })
        .toBe('open');
      // The simulated display's first frame came through: light "text" pixels on a dark screen.
      const canvas = page.getByTestId('vnc-console').locator('canvas');
      await expect
        .poll(() => canvas.evaluate(countLightPixels), {
          timeout: 10_000,
        })
        .toBeGreaterThan(1000);
      await page.getByTestId('console-panel').scrollIntoViewIfNeeded();
      await browser.shoot('06-vnc-console');
    }));

  it('stops, starts and extends the environment from its page', () =>
    withLogs(async () => {
      const { page } = browser;
      if (!(await page.getByTestId('env-view').isVisible())) await page.goto(`/envs/${ENV_ID}`);
      const view = page.getByTestId('env-view');
      const vmStates = () =>
        page
          .locator('[data-testid=vm-row] [data-testid=vm-state]')
          .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-state')))]);
      await page.getByTestId('env-stop').click();
      await expect
        .poll(() => view.getAttribute('data-env-state'), { timeout: 60_000 })
        .toBe('stopped');
      await expect.poll(vmStates).toEqual(['stopped']);
      // Consoles need a running zone: the buttons say so by being disabled.
      expect(await page.getByTestId('open-serial').first().isDisabled()).toBe(true);
      await page.getByTestId('env-start').click();
      await expect
        .poll(() => view.getAttribute('data-env-state'), { timeout: 60_000 })
        .toBe('active');
      await expect.poll(vmStates).toEqual(['running']);

      const before = Date.parse((await api.getEnv({ params: { id: ENV_ID } })).expires_at);
      await page.getByTestId('env-extend').click();
      await page.getByRole('button', { name: '+1d' }).click();
      await page.getByTestId('extend-dialog').getByRole('button', { name: 'Extend' }).click();
      await expect.poll(() => page.getByTestId('expiry').textContent()).toMatch(/^1d 5h|^1d 6h/);
      const after = Date.parse((await api.getEnv({ params: { id: ENV_ID } })).expires_at);
      expect(after - before).toBeGreaterThanOrEqual(24 * 3600 * 1000 - 5000);
    }));

  it('drains the busiest host and shows its progress until it is complete', () =>
    withLogs(async () => {
      const { page } = browser;
      const { items } = await api.listHosts({ query: { limit: 10 } });
      const host = [...items].sort((a, b) => b.vm_count - a.vm_count)[0]!;
      expect(host.vm_count).toBeGreaterThan(0);
      await page.getByTestId('nav-fleet').click();
      const card = page.locator(`[data-testid=host-card][data-host-id="${host.id}"]`);
      await card.getByTestId('drain-host').click();
      await page.getByRole('button', { name: 'Start drain' }).click();
      // Wait mode: the drain holds until the host's VMs are really gone.
      await expect
        .poll(() => card.getByTestId('drain-progress').getAttribute('data-drain-state'))
        .toBe('draining');
      expect(await card.getByTestId('host-policy').getAttribute('data-policy')).toBe('draining');
      expect(await card.getByTestId('drain-counts').textContent()).toBe(
        `0 of ${host.vm_count} VMs gone · ${host.vm_count} remaining`,
      );
      await browser.shoot('07-drain-in-progress');

      // Deleting the environment is what lets the drain finish; the card follows by itself.
      await page.getByTestId('nav-environments').click();
      const row = page.locator(`[data-testid=env-row][data-env-id="${ENV_ID}"]`);
      await row.getByTestId('env-delete').click();
      await page.getByTestId('confirm-button').click();
      await expect
        .poll(() => row.getByTestId('env-state').getAttribute('data-state'))
        .toMatch(/deleting|deleted/);
      await browser.shoot('08-environment-deleting');
      await page.getByTestId('nav-fleet').click();
      await expect
        .poll(() => card.getByTestId('drain-progress').getAttribute('data-drain-state'), {
          timeout: 60_000,
        })
        .toBe('complete');
      await expect
        .poll(() => card.getByTestId('host-policy').getAttribute('data-policy'))
        .toBe('maintenance');
      expect(await card.getByTestId('drain-counts').textContent()).toBe(
        `${host.vm_count} of ${host.vm_count} VMs gone · 0 remaining`,
      );
      await browser.shoot('09-drain-complete');
      await card.getByTestId('activate-host').click();
      await expect
        .poll(() => card.getByTestId('host-policy').getAttribute('data-policy'))
        .toBe('eligible');
    }));

  it('shows the deleted environment as gone, without a reload', () =>
    withLogs(async () => {
      const { page } = browser;
      await page.getByTestId('nav-environments').click();
      await expect
        .poll(() => page.locator(`[data-testid=env-row][data-env-id="${ENV_ID}"]`).count(), {
          timeout: 60_000,
        })
        .toBe(0);
      const env = await api.getEnv({ params: { id: ENV_ID } }).catch(() => null);
      expect(env === null || env.state === 'deleted').toBe(true);
      await browser.shoot('10-environment-deleted');
      await page.getByTestId('nav-fleet').click();
      await page.getByRole('button', { name: 'Use dark theme' }).click();
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      await browser.shoot('11-fleet-dark-theme');
      await page.getByRole('button', { name: 'Use light theme' }).click();
      expect(browser.pageErrors).toEqual([]);
    }));

  it("shows the session's activity on the fleet page, who did what, with the controller's own", () =>
    withLogs(async () => {
      const { page } = browser;
      await page.getByTestId('nav-fleet').click();
      const feed = page.getByTestId('activity');
      const actions = () =>
        feed
          .locator('tbody tr')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
      // The feed follows server events: the last actions of the session are there without a reload.
      await expect
        .poll(actions, { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining(['deleteEnv', 'drainHost', 'activateHost', 'drain.complete']),
        );
      const drained = feed.locator('tbody tr[data-action="drain.complete"]').first();
      expect(await drained.textContent()).toContain('drain (controller)');
      const deleted = feed.locator('tbody tr[data-action="deleteEnv"]').first();
      expect(await deleted.textContent()).toMatch(/admin.*delete env.*env web-1.*accepted/);
      await browser.shoot('12-fleet-activity');
    }));
});
