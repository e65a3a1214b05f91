import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControllerCore } from '../../src/core.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { tempDir } from '../helpers/temp.js';

/*
 * The controller serving the dashboard at `/`, from a small stand-in for its built dist/ (the
 * rules are the dashboard package's; this checks the controller applies them in the right place
 * among its own routes).
 */

const INDEX = '<!doctype html><html><body><div id="app"></div></body></html>';
const SCRIPT = 'console.log("dashboard")';
let h: Harness;
let dist: string;
let app: Awaited<ReturnType<typeof createControllerCore>>['app'];

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'apiary-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'index-AbC123.js'), SCRIPT);
  writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
  h = await createHarness();
  app = (
    await createControllerCore({
      config: h.core.ctx.config,
      database: h.database,
      log: h.core.ctx.log,
      dashboardDir: dist,
    })
  ).app;
});
afterAll(async () => {
  await h.close();
  rmSync(dist, { recursive: true, force: true });
});

const get = (path: string, accept?: string, method = 'GET') =>
  app.request(path, { method, headers: accept ? { accept } : {} });

describe('the dashboard at /', () => {
  it('sends index.html to a browser, with its CSP and no-cache', async () => {
    const res = await get('/', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('keeps the JSON service info for curl and JSON clients', async () => {
    for (const accept of [undefined, '*/*', 'application/json']) {
      const res = await get('/', accept);
      expect(await res.json()).toEqual({
        service: 'apiary-controller',
        version: expect.any(String),
      });
    }
  });

  it('answers a deep link of the single-page app with index.html', async () => {
    const res = await get('/envs/web-1', 'text/html');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX);
  });

  it('serves hashed assets as immutable, and HEAD without a body', async () => {
    const res = await get('/assets/index-AbC123.js');
    expect(await res.text()).toBe(SCRIPT);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const head = await get('/assets/index-AbC123.js', undefined, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await head.text()).toBe('');
    expect((await get('/favicon.svg')).headers.get('cache-control')).toBe('no-cache');
  });

  it('answers 404 in JSON for missing files, escapes from dist/ and unknown API paths', async () => {
    for (const path of ['/assets/missing.js', '/..%2fpackage.json', '/v1/nothing', '/api/x']) {
      const res = await get(path, 'text/html');
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/application\/json/);
    }
  });

  it('leaves the API, docs and metrics to their own routes', async () => {
    expect((await get('/v1/health', 'text/html')).headers.get('content-type')).toMatch(/json/);
    expect(await (await get('/docs', 'text/html')).text()).not.toBe(INDEX);
    expect((await get('/metrics', 'text/html')).headers.get('content-type')).toMatch(/text\/plain/);
    expect((await app.request('/envs/web-1', { method: 'POST' })).status).toBe(404);
  });

  it('shows a small page instead when the dashboard is not built', async () => {
    const empty = tempDir('nodist');
    const bare = (
      await createControllerCore({
        config: h.core.ctx.config,
        database: h.database,
        log: h.core.ctx.log,
        dashboardDir: empty,
      })
    ).app;
    const res = await bare.request('/', { headers: { accept: 'text/html' } });
    expect(await res.text()).toContain('The dashboard is not built');
  });
});
