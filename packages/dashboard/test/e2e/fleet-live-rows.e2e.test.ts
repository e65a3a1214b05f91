import type { ControllerClient, Host } from '@apiary/protocol';
import type { Fleet } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

/*
 * A live update renders only what changed (issue 18): one host's drain arrives over the event
 * stream, the fleet view refetches every host, and only the drained host's card renders again.
 * Real hosts heartbeat all the time, so the other host's own data would change too; the page's
 * host lists are therefore given the other host as it was first seen, while the drained host
 * passes through live. The test's own client reads the lists the page asks for. The count comes from the dashboard's render probe
 * (src/lib/render-probe.ts), switched on by defining `window.__apiaryRenders` before load.
 */

let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;
let api: ControllerClient;
let changed: Host;
let other: Host;

declare global {
  interface Window {
    __apiaryRenders?: Map<string, number>;
    __cardMutations?: Record<string, number>;
  }
}

beforeAll(async () => {
  fleet = await startFleet(2);
  api = fleet.admin;
  const { items } = await api.listHosts();
  [changed, other] = [items[0]!, items[1]!];
  endpoint = await dashboardEndpoint(fleet.controller);
  browser = await launchBrowser(endpoint.url, { trustCertFile: fleet.controller.certFile });
  const { page } = browser;
  await page.addInitScript(() => {
    window.__apiaryRenders = new Map();
  });
  const frozen = new Map<string, Host>();
  await page.route(
    (url) => url.pathname === '/v1/hosts',
    async (route) => {
      // Read by the test's own client (it trusts the controller's certificate; Playwright's
      // request side would not), for the same admin the browser signs in as.
      const limit = Number(new URL(route.request().url()).searchParams.get('limit') ?? 100);
      const body = await api.listHosts({ query: { limit } });
      body.items = body.items.map((h) => {
        if (h.id === changed.id) return h;
        // Dated hours back, so its "ago" labels hold still: they tick on their own clock.
        if (!frozen.has(h.id)) frozen.set(h.id, freeze(h));
        return frozen.get(h.id)!;
      });
      await route.fulfill({ status: 200, json: body });
    },
  );
  await page.goto('/');
  await page.fill('#login-username', fleet.bootstrap.adminUser);
  await page.fill('#login-password', fleet.bootstrap.adminPassword);
  await page.click('button[type=submit]');
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=host-card]').length === 2,
    null,
    { timeout: 30_000 },
  );
});

afterAll(async () => {
  await browser?.close();
  await endpoint?.close();
  await fleet?.destroy();
});

const HOURS_AGO = new Date(Date.now() - 3 * 3600_000).toISOString();

function freeze(h: Host): Host {
  return {
    ...h,
    last_heartbeat_at: HOURS_AGO,
    usage: h.usage ? { ...h.usage, sampled_at: HOURS_AGO } : null,
  };
}

const card = (id: string) => `[data-testid=host-card][data-host-id="${id}"]`;

describe('a live update on the fleet view', () => {
  it('renders the changed host card and no other', async () => {
    const { page } = browser;
    await expect.poll(() => page.getByTestId('live-status').getAttribute('data-live')).toBe('live');
    // Let the first answers (status, organizations) settle, then count from zero.
    await page.waitForTimeout(1500);
    await page.evaluate(
      ({ changedCard, otherCard }) => {
        window.__apiaryRenders!.clear();
        const counts: Record<string, number> = { changed: 0, other: 0 };
        window.__cardMutations = counts;
        const watch = (selector: string, key: string) =>
          new MutationObserver((records) => {
            counts[key]! += records.length;
          }).observe(document.querySelector(selector)!, {
            subtree: true,
            childList: true,
            attributes: true,
            characterData: true,
          });
        watch(changedCard, 'changed');
        watch(otherCard, 'other');
      },
      { changedCard: card(changed.id), otherCard: card(other.id) },
    );

    // An empty host drains at once into maintenance: events, then refetches of every host.
    await api.drainHost({ params: { id: changed.id }, body: { mode: 'wait' } });
    await expect
      .poll(
        () =>
          page.locator(`${card(changed.id)} [data-testid=host-policy]`).getAttribute('data-policy'),
        { timeout: 15_000 },
      )
      .toBe('maintenance');
    // Whatever the same change still causes (the last events, the status refetch) lands here.
    await page.waitForTimeout(2000);

    const renders = await page.evaluate(() => Object.fromEntries(window.__apiaryRenders!));
    const mutations = await page.evaluate(() => window.__cardMutations!);
    const seen = JSON.stringify({ renders, mutations });
    expect(renders[`HostCard:${changed.id}`], seen).toBeGreaterThanOrEqual(1);
    expect(renders[`HostCard:${other.id}`] ?? 0, seen).toBe(0);
    expect(mutations.changed, seen).toBeGreaterThan(0);
    expect(mutations.other, seen).toBe(0);
    expect(browser.pageErrors).toEqual([]);
  });
});
