import { spawn } from 'node:child_process';
import type { Env } from '@apiary/protocol';
import { bins, type Fleet, sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

/*
 * The usage charts against a real fleet under simulated load: an agent sampling kstat every
 * second on a simulated host, one VM whose zone the simulator is told to keep 1.5 CPUs busy
 * and moving 4 MiB/s in (`apiary-sim load`), and what the dashboard draws from it.
 */
let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;

const MIB = 1024 * 1024;
const LOAD = { cpu: 1.5, netRx: 4 * MIB, netTx: 512 * 1024 };

function run(argv: string[]) {
  return new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env: { PATH: process.env.PATH } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

beforeAll(async () => {
  fleet = await startFleet(1, { agentArgs: ['--stats-interval', '1'] });
  const api = fleet.controller.admin;
  await uploadSampleImage(api, 'alpine-cloud');
  const created = await fleet.controller.call('POST', '/v1/envs', {
    id: 'busy',
    ssh_keys: [sshKey()],
    vms: [{ image: 'alpine-cloud', cpu: 2, mem: 1024, disk: 10240 }],
  });
  expect(created.status, await created.clone().text()).toBe(202);
  await waitFor(
    async () => {
      const env = (await (await fleet.controller.call('GET', '/v1/envs/busy')).json()) as Env;
      return env.state === 'active' ? env : undefined;
    },
    { what: 'busy to be active', timeoutMs: 120_000, intervalMs: 250 },
  );
  // The environment's one VM is the host's one zone.
  const agent = fleet.agents[0]!;
  const zones = agent.host().zones.map((z) => z.name);
  expect(zones).toHaveLength(1);
  const set = await run([
    bins.sim,
    'load',
    agent.simDir,
    zones[0]!,
    '--cpu',
    String(LOAD.cpu),
    '--net-rx',
    String(LOAD.netRx),
    '--net-tx',
    String(LOAD.netTx),
  ]);
  expect(set.code, set.stderr).toBe(0);

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

const attr = (testId: string, name: string) => async () =>
  Number((await browser.page.getByTestId(testId).getAttribute(name)) ?? Number.NaN);

/** The figure in a chart's "now" line after `label`, e.g. `CPU used 1.5 CPUs` -> 1.5. */
async function nowFigure(testId: string, label: string): Promise<number> {
  const text = (await browser.page.getByTestId(`${testId}-now`).textContent()) ?? '';
  const match = new RegExp(`${label} ([\\d.]+)`).exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

describe('usage charts', () => {
  it('shows used next to reserved on each host card', async () => {
    const { page } = browser;
    const cpu = page.getByTestId('used-reserved-cpu');
    // The VM's 2 vCPUs of the host's 16 (omni-a) are reserved.
    const host = (await fleet.controller.admin.listHosts()).items[0]!;
    expect(host.capacity.total.cpu).toBe(16);
    await expect.poll(() => cpu.locator('.bar').getAttribute('data-reserved')).toBe('0.125');
    await expect.poll(() => cpu.getByTestId('reserved-share').textContent()).toContain('13%');
    // Used arrives with heartbeats (no event), re-read every 10 s: 1.5 of 16 CPUs busy is 9.4%,
    // and a heartbeat resends it only after a move of 5 points, so it is 4.4..9.4% (idle: 0.1%).
    await expect
      .poll(async () => Number(await cpu.locator('.bar').getAttribute('data-used')), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0.04);
    await expect.poll(() => cpu.getByTestId('used-share').textContent()).toMatch(/used \d+%/);
    await expect
      .poll(() =>
        page.getByTestId('used-reserved-memory').locator('.bar').getAttribute('data-used'),
      )
      .not.toBe('');
    await browser.shoot('20-fleet-used-vs-reserved');
  });

  it('draws the host page charts with points, live, without rebuilding them', async () => {
    const { page } = browser;
    await page.getByTestId('host-card').locator('.host-name a').click();
    await page.waitForSelector('[data-testid=host-usage]');
    for (const id of [
      'chart-host-cpu',
      'chart-host-memory',
      'chart-host-network',
      'chart-host-disk',
    ]) {
      await expect.poll(attr(id, 'data-points'), { timeout: 30_000 }).toBeGreaterThan(1);
      // uPlot loads on demand: the canvas appears once it has built the chart.
      await expect.poll(() => page.getByTestId(id).locator('canvas').count()).toBe(1);
    }
    expect(await attr('chart-host-cpu', 'data-series')()).toBe(3);
    expect(await attr('chart-host-network', 'data-series')()).toBeGreaterThanOrEqual(2);
    // Samples keep arriving (one a second): the charts take them into the same uPlot.
    const before = await attr('chart-host-cpu', 'data-updates')();
    await expect
      .poll(attr('chart-host-cpu', 'data-updates'), { timeout: 15_000 })
      .toBeGreaterThan(before + 1);
    expect(await attr('chart-host-cpu', 'data-builds')()).toBe(1);
    await browser.shoot('21-host-usage-charts', { fullPage: true });
    expect(browser.pageErrors).toEqual([]);
  });

  it('asks for the chosen range when the range picker changes', async () => {
    const { page } = browser;
    const asked: string[] = [];
    const onRequest = (r: { url: () => string }) => {
      if (/\/v1\/hosts\/[^/]+\/stats/.test(r.url())) asked.push(r.url());
    };
    page.on('request', onRequest);
    await page.getByTestId('range-picker').locator('[data-range="24h"]').click();
    await expect
      .poll(() => asked.some((u) => /since=24h/.test(u) && /step=5m/.test(u)), { timeout: 10_000 })
      .toBe(true);
    asked.length = 0;
    await page.getByTestId('range-picker').locator('[data-range="15m"]').click();
    await expect.poll(() => asked.some((u) => /since=15m/.test(u)), { timeout: 10_000 }).toBe(true);
    page.off('request', onRequest);
    await expect.poll(attr('chart-host-cpu', 'data-points')).toBeGreaterThan(1);
  });

  it("shows a VM's CPU and traffic within 10% of the load set on its zone", async () => {
    const { page } = browser;
    await page.goto('/envs/busy');
    await page.getByTestId('toggle-usage').click();
    await expect.poll(attr('chart-vm-cpu', 'data-points'), { timeout: 30_000 }).toBeGreaterThan(1);
    await expect.poll(attr('chart-vm-network', 'data-series')).toBe(2);
    await expect.poll(() => page.getByTestId('chart-vm-cpu').locator('canvas').count()).toBe(1);
    const cpu = await nowFigure('chart-vm-cpu', 'CPU used');
    expect(Math.abs(cpu - LOAD.cpu), `${cpu} CPUs`).toBeLessThan(LOAD.cpu * 0.1);
    const rxMiB = await nowFigure('chart-vm-network', 'In');
    expect(Math.abs(rxMiB - 4), `${rxMiB} MiB/s`).toBeLessThan(0.4);
    await browser.shoot('22-vm-usage-charts', { fullPage: true });
    expect(browser.pageErrors).toEqual([]);
  });

  it('says the host is not answering when its agent is gone', async () => {
    const { page } = browser;
    const host = (await fleet.controller.admin.listHosts()).items[0]!;
    await fleet.agents[0]!.kill();
    await page.goto(`/hosts/${host.id}`);
    await expect
      .poll(() => page.getByTestId('usage-error').textContent(), { timeout: 30_000 })
      .toMatch(/^Host not answering: host omni-a /);
    await browser.shoot('23-host-usage-not-answering');
  });
});
