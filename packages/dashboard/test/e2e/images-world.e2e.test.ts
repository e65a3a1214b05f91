import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Fleet, sampleImage } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.js';
import { type DashboardEndpoint, dashboardEndpoint } from './support/dashboard-url.js';
import { startFleet } from './support/e2e-fleet.js';

/*
 * Images from the world in the browser (issue 16): a box registry added (its token kept),
 * searched, and a box pulled from it; a cloud image fetched by URL with its OS and cloud-init,
 * which the environment form then shows. The registry is a local HTTP server speaking the
 * Vagrant box catalog and search formats, serving a `.box` made here with tar.
 */

const TOKEN = 'dashboard-registry-token';
let fleet: Fleet;
let endpoint: DashboardEndpoint;
let browser: Browser;
let registry: Server;
let registryUrl: string;
const seen: Array<string | undefined> = [];

function makeBox(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-box-'));
  try {
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ provider: 'bhyve' }));
    writeFileSync(join(dir, 'box.zss'), stream);
    execFileSync('tar', ['-czf', join(dir, 'out.box'), '-C', dir, 'metadata.json', 'box.zss']);
    return readFileSync(join(dir, 'out.box'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let stream: Buffer;

beforeAll(async () => {
  fleet = await startFleet(1);
  stream = (await sampleImage('debian-box')).stream;
  const box = makeBox();
  const raw = Buffer.alloc(1024 * 1024, 7);
  registry = createServer((req, res) => {
    seen.push(req.headers.authorization);
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/api/v2/search')
      return json({
        boxes: [
          {
            tag: 'acme/debian',
            short_description: 'Debian for bhyve',
            versions: [{ version: '1.0.0', providers: [{ name: 'bhyve' }] }],
          },
        ],
      });
    if (url.pathname === '/acme/debian')
      return json({
        name: 'acme/debian',
        description: 'Debian for bhyve',
        versions: [
          {
            version: '1.0.0',
            providers: [
              {
                name: 'bhyve',
                url: '/files/debian.box',
                checksum: createHash('sha256').update(box).digest('hex'),
                checksum_type: 'sha256',
              },
            ],
          },
        ],
      });
    if (url.pathname === '/files/debian.box')
      return res.writeHead(200, { 'content-length': String(box.length) }).end(box);
    if (url.pathname === '/cloud/ubuntu.raw')
      return res.writeHead(200, { 'content-length': String(raw.length) }).end(raw);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
  endpoint = await dashboardEndpoint(fleet.controller);
  browser = await launchBrowser(endpoint.url, { trustCertFile: fleet.controller.certFile });
  const { page } = browser;
  await page.goto('/images');
  await page.fill('#login-username', fleet.bootstrap.adminUser);
  await page.fill('#login-password', fleet.bootstrap.adminPassword);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=registries-panel]');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await endpoint?.close();
  await fleet?.destroy();
  await new Promise<void>((resolve) => (registry ? registry.close(() => resolve()) : resolve()));
});

function withLogs<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    process.stderr.write(`\n${fleet.logs()}\n`);
    throw error;
  });
}

describe('images from the world in the dashboard', () => {
  it('adds a registry, searches it, and pulls a box into an image', () =>
    withLogs(async () => {
      const { page } = browser;
      await page.getByTestId('add-registry').click();
      const adding = page.getByTestId('add-registry-dialog');
      // The protocol's schema refuses a name the controller would before anything is sent.
      await adding.getByLabel('Registry name').fill('Acme Boxes');
      await adding.getByLabel('Registry URL').fill(registryUrl);
      await adding.getByRole('button', { name: 'Add registry' }).click();
      await expect.poll(() => page.getByTestId('error-registry-name').textContent()).toBeTruthy();
      expect((await fleet.admin.listRegistries({})).items).toHaveLength(0);
      await adding.getByLabel('Registry name').fill('acme');
      await adding.getByLabel('Registry token').fill(TOKEN);
      await adding.getByRole('button', { name: 'Add registry' }).click();
      const row = page.locator('[data-testid=registry-row]', { hasText: 'acme' });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain('kept encrypted');
      expect(await page.content()).not.toContain(TOKEN);
      await row.getByRole('button', { name: 'Browse' }).click();
      const boxes = page.getByTestId('boxes-table');
      await expect.poll(() => boxes.textContent()).toContain('acme/debian');
      expect(seen).toContain(`Bearer ${TOKEN}`);
      await boxes.getByRole('button', { name: 'Pull' }).click();
      expect(await page.inputValue('#pull-box')).toBe('acme/debian');
      await browser.shoot('30-pull-box');
      await page.getByRole('button', { name: 'Pull', exact: true }).last().click();
      const image = page.locator('[data-testid=image-row]', { hasText: 'acme-debian' });
      await expect.poll(() => image.count(), { timeout: 60_000 }).toBe(1);
      expect(await image.textContent()).toContain('box acme/debian@1.0.0 (bhyve)');
    }));

  it('fetches a cloud image by URL, and the env form shows its OS and cloud-init', () =>
    withLogs(async () => {
      const { page } = browser;
      await page.getByRole('button', { name: 'Fetch from URL' }).click();
      await page.fill('#fetch-url', `${registryUrl}/cloud/ubuntu.raw`);
      await page.fill('#fetch-name', 'ubuntu-24');
      await page.fill('#fetch-os', 'ubuntu');
      await page.getByRole('button', { name: 'Fetch', exact: true }).click();
      const image = page.locator('[data-testid=image-row]', { hasText: 'ubuntu-24' });
      await expect.poll(() => image.count(), { timeout: 60_000 }).toBe(1);
      expect(await image.textContent()).toContain('cloud-init');
      await browser.shoot('31-images-from-the-world', { fullPage: true });
      await page.getByTestId('nav-environments').click();
      await page.getByTestId('new-env').click();
      const choices = await page.locator('#env-image option').allTextContents();
      expect(choices.find((t) => t.startsWith('ubuntu-24'))).toMatch(
        /^ubuntu-24 · ubuntu · cloud-init · raw/,
      );
      expect(browser.pageErrors).toEqual([]);
    }));
});
