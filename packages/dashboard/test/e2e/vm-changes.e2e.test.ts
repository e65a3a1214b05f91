import type { ControllerClient } from '@apiary/protocol';
import { type Fleet, sampleImage, waitFor } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

/*
 * The VM page (issue 13) through the real controller, agent and simulated host: resize with a
 * pending change and then a restart, a data disk, snapshots, a rollback through the
 * controller's own refusals (running VM, later snapshots), and a clone.
 */

const SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ1Ym1sZS1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc4 ops@example';
const ENV_ID = 'chg';
const VM_ID = `${ENV_ID}-0`;

let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;
let api: ControllerClient;

beforeAll(async () => {
  fleet = await startFleet(1);
  api = fleet.admin;
  const image = await sampleImage();
  await api.uploadImage({ query: { name: 'alpine-cloud' }, body: new Uint8Array(image.stream) });
  await api.uploadImage({
    query: { name: 'installer', format: 'iso' },
    body: new Uint8Array(64 * 1024).fill(7),
  });
  await api.createEnv({
    body: { id: ENV_ID, ssh_keys: [SSH_KEY], vms: [{ image: 'alpine-cloud' }] },
  });
  await waitFor(
    async () => (await api.getEnv({ params: { id: ENV_ID } })).state === 'active' || undefined,
    { what: `${ENV_ID} to be active`, timeoutMs: 120_000, intervalMs: 500 },
  );
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

const view = () => browser.page.getByTestId('vm-view');
const rowsOf = (kind: string) =>
  browser.page.locator(`[data-testid=operation-row][data-operation-kind=${kind}]`);
const confirmButton = () => browser.page.locator('dialog[open] [data-testid=confirm-button]');

/**
 * Runs what starts a change of `kind`, then waits until the page followed its operation to the
 * end (the newest row of that kind settled) and every change button is enabled again; returns
 * how it ended.
 */
async function change(kind: string, start: () => Promise<void>): Promise<string | null> {
  const before = await rowsOf(kind).count();
  await start();
  // More than one row may appear: a change the agent refused is kept as a failed operation.
  await expect.poll(() => rowsOf(kind).count(), { timeout: 30_000 }).toBeGreaterThan(before);
  const state = () => rowsOf(kind).first().getAttribute('data-operation-state');
  await expect.poll(state, { timeout: 60_000 }).toMatch(/^(succeeded|failed)$/);
  await expect.poll(() => view().getAttribute('data-busy'), { timeout: 30_000 }).toBe('false');
  return state();
}

describe('the VM page', () => {
  it('opens from the environment’s VM row', async () => {
    const { page } = browser;
    await page.goto(`/envs/${ENV_ID}`);
    await page.locator(`[data-testid=vm-row][data-vm-id="${VM_ID}"] [data-testid=vm-link]`).click();
    await expect
      .poll(() => view().getAttribute('data-vm-state'), { timeout: 30_000 })
      .toBe('running');
    expect(new URL(page.url()).pathname).toBe(`/vms/${VM_ID}`);
  });

  it('resizes: a running VM shows the change pending, and a restart applies it', async () => {
    const { page } = browser;
    await page.getByTestId('edit-vm').click();
    await page.fill('#vm-edit-cpu', '3');
    expect(
      await change('update', () => page.getByRole('button', { name: 'Save changes' }).click()),
    ).toBe('succeeded');
    const banner = page.getByTestId('pending-changes');
    await expect.poll(() => banner.textContent(), { timeout: 30_000 }).toContain('3 vCPU');
    await browser.shoot('20-vm-pending-change', { fullPage: true });

    await page.getByTestId('edit-vm').click();
    // The form says what the controller would, before anything is sent.
    await page.fill('#vm-edit-mem', '128M');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => page.getByTestId('error-vm-edit-mem').textContent())
      .toBe('at least 256 MiB');
    await page.fill('#vm-edit-mem', '2G');
    await page.check('input[name=restart]');
    expect(
      await change('update', () => page.getByRole('button', { name: 'Save changes' }).click()),
    ).toBe('succeeded');
    await expect
      .poll(() => page.getByTestId('vm-mem').textContent(), { timeout: 60_000 })
      .toBe('2 GiB');
    expect(await page.getByTestId('vm-cpu').textContent()).toBe('3');
    await expect.poll(() => banner.count(), { timeout: 30_000 }).toBe(0);
    const vm = await api.getVm({ params: { id: VM_ID } });
    expect(vm).toMatchObject({ cpu: 3, mem: 2048, state: 'running' });
  });

  it('adds a data disk of a size', async () => {
    const { page } = browser;
    await page.fill('#add-disk-size', '2G');
    expect(
      await change('add_disk', () => page.getByRole('button', { name: 'Add disk' }).click()),
    ).toBe('succeeded');
    await expect.poll(() => page.getByTestId('disk-row').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('disk-row').textContent()).toContain('2 GiB');
  });

  it('attaches an ISO chosen from the images, and detaches it', async () => {
    const { page } = browser;
    await page.selectOption('#cdrom-image', { label: 'installer' });
    expect(
      await change('attach_cdrom', () => page.getByRole('button', { name: 'Attach' }).click()),
    ).toBe('succeeded');
    await expect
      .poll(() => page.getByTestId('cdrom-inserted').textContent(), { timeout: 30_000 })
      .toContain('installer');
    expect(
      await change('detach_cdrom', () => page.getByRole('button', { name: 'Detach' }).click()),
    ).toBe('succeeded');
    await expect
      .poll(() => page.getByTestId('attach-cdrom-form').count(), { timeout: 30_000 })
      .toBe(1);
  });

  it('takes snapshots, and rolls back through the controller’s refusals', async () => {
    const { page } = browser;
    for (const name of ['first', 'second']) {
      await page.fill('#snapshot-name', name);
      expect(
        await change('snapshot', () => page.getByRole('button', { name: 'Take snapshot' }).click()),
      ).toBe('succeeded');
      await expect
        .poll(() => page.locator(`[data-testid=snapshot-row][data-snapshot=${name}]`).count(), {
          timeout: 60_000,
        })
        .toBe(1);
    }
    const refusal = page.getByTestId('rollback-refusal');
    const rollback = async () => {
      await page
        .locator('[data-testid=snapshot-row][data-snapshot=first]')
        .getByRole('button', { name: 'Roll back' })
        .click();
      await confirmButton().click();
      // The VM runs: the controller asks for a stop, in its own words.
      await expect.poll(() => refusal.textContent(), { timeout: 30_000 }).toMatch(/running/);
      expect(await confirmButton().textContent()).toBe('Stop the VM and roll back');
      await confirmButton().click();
      // Then it names the later snapshot the rollback destroys.
      await expect.poll(() => refusal.textContent(), { timeout: 30_000 }).toMatch(/second/);
      expect(await refusal.textContent()).not.toContain('?force=true');
      expect(await confirmButton().textContent()).toBe('Destroy them and roll back');
      await browser.shoot('21-vm-rollback-confirm');
      await confirmButton().click();
    };
    expect(await change('rollback', rollback)).toBe('succeeded');
    await expect
      .poll(
        () =>
          page
            .getByTestId('snapshot-row')
            .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-snapshot'))),
        {
          timeout: 60_000,
        },
      )
      .toEqual(['first']);
  });

  it('clones a snapshot into a new VM of the environment', async () => {
    const { page } = browser;
    await page
      .locator('[data-testid=snapshot-row][data-snapshot=first]')
      .getByRole('button', { name: 'Clone' })
      .click();
    expect(
      await change('clone', () =>
        page.getByTestId('clone-dialog').getByRole('button', { name: 'Clone' }).click(),
      ),
    ).toBe('succeeded');
    const row = rowsOf('clone').first();
    const env = await api.getEnv({ params: { id: ENV_ID } });
    expect(env.vms).toHaveLength(2);
    const clone = env.vms.find((v) => v.id !== VM_ID);
    expect(await row.textContent()).toContain(clone?.id ?? 'the clone');
    // The clone's page is one click away, and back again.
    await row.getByTestId('result-vm').click();
    await expect
      .poll(() => view().getAttribute('data-vm-state'), { timeout: 30_000 })
      .toMatch(/^(running|stopped)$/);
    expect(new URL(page.url()).pathname).toBe(`/vms/${clone?.id}`);
    await page.goBack();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/vms/${VM_ID}`);
    await browser.shoot('22-vm-page', { fullPage: true });
  });

  it('publishes a snapshot as an image', async () => {
    const { page } = browser;
    await page
      .locator('[data-testid=snapshot-row][data-snapshot=first]')
      .getByRole('button', { name: 'Publish' })
      .click();
    await page.fill('#publish-name', 'Not Valid');
    await page.getByTestId('publish-dialog').getByRole('button', { name: 'Publish' }).click();
    await expect
      .poll(() => page.getByTestId('error-publish-name').textContent())
      .toMatch(/lowercase/);
    await page.fill('#publish-name', 'chg-golden');
    expect(
      await change('publish_image', () =>
        page.getByTestId('publish-dialog').getByRole('button', { name: 'Publish' }).click(),
      ),
    ).toBe('succeeded');
    expect(await rowsOf('publish_image').first().textContent()).toContain('image chg-golden');
    const { items } = await api.listImages({ query: { limit: 100 } });
    expect(items.map((i) => i.name)).toContain('chg-golden');
    expect(browser.pageErrors).toEqual([]);
  });
});
