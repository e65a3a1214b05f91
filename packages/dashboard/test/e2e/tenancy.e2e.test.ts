import type { Fleet } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

const ORG = 'Acme Labs';
const USER = 'alice';
const PASSWORD = 'correct horse battery staple';

let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;

beforeAll(async () => {
  fleet = await startFleet(1);
  endpoint = await dashboardEndpoint(fleet.controller);
  browser = await launchBrowser(endpoint.url, { trustCertFile: fleet.controller.certFile });
});

afterAll(async () => {
  await browser?.close();
  await endpoint?.close();
  await fleet?.destroy();
});

/** On failure, show what the programs said: the browser only shows the symptom. */
function withLogs<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    process.stderr.write(`\n${fleet.logs()}\n`);
    throw error;
  });
}

async function signIn(username: string, password: string) {
  const { page } = browser;
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('button[type=submit]');
  await page.getByTestId('signed-in-user').waitFor();
}

async function signOut() {
  await browser.page.getByRole('button', { name: 'Sign out' }).click();
  await browser.page.locator('#login-username').waitFor();
}

const loginStatus = async (username: string, password: string) =>
  (
    await fleet.controller.fetch('/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
  ).status;

describe('organizations and users', () => {
  it('creates an organization, with the schema’s message for a bad name first', () =>
    withLogs(async () => {
      const { page } = browser;
      await page.goto('/');
      await signIn(fleet.bootstrap.adminUser, fleet.bootstrap.adminPassword);
      await page.getByTestId('nav-organizations').click();
      await page.getByRole('button', { name: 'New organization' }).click();
      await page.fill('#org-name', 'bad/name');
      await page.getByRole('button', { name: 'Create organization' }).click();
      await expect
        .poll(() => page.getByTestId('error-org-name').textContent())
        .toContain('may contain letters');
      await page.fill('#org-name', ORG);
      await page.getByRole('button', { name: 'Create organization' }).click();
      const row = page.locator(`[data-testid=org-row][data-org-name="${ORG}"]`);
      await expect.poll(() => row.count()).toBe(1);
      const orgs = await fleet.admin.listOrgs({ query: { limit: 100 } });
      expect(orgs.items.map((o) => o.name)).toContain(ORG);
      await browser.shoot('20-organizations');
    }));

  it('assigns a host to the organization and shows its name on the host', () =>
    withLogs(async () => {
      const { page } = browser;
      const row = page.locator(`[data-testid=org-row][data-org-name="${ORG}"]`);
      await row.getByRole('button', { name: 'Assign host' }).click();
      await page
        .getByTestId('assign-host-dialog')
        .getByRole('button', { name: 'Assign host' })
        .click();
      await expect.poll(() => row.getByTestId('org-hosts').textContent()).toBe('omni-a');
      const org = (await fleet.admin.listOrgs({ query: { limit: 100 } })).items.find(
        (o) => o.name === ORG,
      );
      const [host] = (await fleet.admin.listHosts({ query: { limit: 10 } })).items;
      expect(host?.org_id).toBe(org?.id);

      // The fleet's card and the host's page name the organization, not its id.
      await page.getByTestId('nav-fleet').click();
      const card = page.locator('[data-testid=host-card][data-hostname=omni-a]');
      await expect.poll(() => card.getByTestId('host-org').textContent()).toBe(ORG);
      await card.getByRole('link', { name: 'omni-a' }).click();
      await expect.poll(() => page.getByTestId('host-org').textContent()).toBe(ORG);

      // And back to unassigned from the host's page.
      await page.getByRole('button', { name: 'Assign', exact: true }).click();
      await page.selectOption('#host-org', '');
      await page.getByTestId('host-org-dialog').getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByTestId('host-org').textContent()).toBe('unassigned');
      await page.getByRole('button', { name: 'Assign', exact: true }).click();
      await page.selectOption('#host-org', { label: ORG });
      await page.getByTestId('host-org-dialog').getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByTestId('host-org').textContent()).toBe(ORG);
      await browser.shoot('21-host-organization');
    }));

  it('creates a user in the organization, validating the form with the protocol schema', () =>
    withLogs(async () => {
      const { page } = browser;
      await page.getByTestId('nav-users').click();
      await page.getByRole('button', { name: 'New user' }).click();
      await page.fill('#user-username', 'Alice!');
      await page.fill('#user-password', 'short');
      await page.getByRole('button', { name: 'Create user' }).click();
      await expect
        .poll(() => page.getByTestId('error-user-username').textContent())
        .toContain('lowercase letters');
      expect(await page.getByTestId('error-user-password').textContent()).toContain('12');
      await page.fill('#user-username', USER);
      await page.fill('#user-password', PASSWORD);
      await page.selectOption('#user-org', { label: ORG });
      await page.getByRole('button', { name: 'Create user' }).click();
      const row = page.locator(`[data-testid=user-row][data-username=${USER}]`);
      await expect.poll(() => row.getByTestId('user-org').textContent()).toBe(ORG);
      expect(await loginStatus(USER, PASSWORD)).toBe(200);
      await browser.shoot('22-users');
    }));

  it('hides the tenancy pages from a member', () =>
    withLogs(async () => {
      const { page } = browser;
      await signOut();
      await signIn(USER, PASSWORD);
      await expect.poll(() => page.getByTestId('nav-fleet').count()).toBe(1);
      expect(await page.getByTestId('nav-users').count()).toBe(0);
      expect(await page.getByTestId('nav-organizations').count()).toBe(0);
      await signOut();
      await signIn(fleet.bootstrap.adminUser, fleet.bootstrap.adminPassword);
    }));

  it("changes the user's role, then disables them so they can no longer sign in", () =>
    withLogs(async () => {
      const { page } = browser;
      await page.getByTestId('nav-users').click();
      const row = page.locator(`[data-testid=user-row][data-username=${USER}]`);
      await row.getByLabel(`Role of ${USER}`).selectOption('org_admin');
      const userNamed = async () =>
        (await fleet.admin.listUsers({ query: { limit: 100 } })).items.find(
          (u) => u.username === USER,
        );
      await expect.poll(async () => (await userNamed())?.role).toBe('org_admin');

      await row.getByRole('button', { name: 'Disable' }).click();
      await expect.poll(() => row.locator('[data-state=disabled]').count()).toBe(1);
      expect((await userNamed())?.disabled).toBe(true);
      expect(await loginStatus(USER, PASSWORD)).toBe(401);

      await row.getByRole('button', { name: 'Enable' }).click();
      await expect.poll(() => row.locator('[data-state=active]').count()).toBe(1);
      expect(await loginStatus(USER, PASSWORD)).toBe(200);
    }));

  it('deletes the user after a confirmation', () =>
    withLogs(async () => {
      const { page } = browser;
      const row = page.locator(`[data-testid=user-row][data-username=${USER}]`);
      await row.getByRole('button', { name: 'Delete' }).click();
      await page.getByTestId('confirm-button').click();
      await expect.poll(() => row.count()).toBe(0);
      expect(await loginStatus(USER, PASSWORD)).toBe(401);
      expect(browser.pageErrors).toEqual([]);
    }));
});
