import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptsHtml,
  DASHBOARD_CSP,
  dashboardAssetsDir,
  IMMUTABLE_CACHE,
  resolveDashboardRequest,
} from '../../src/node/index.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
let root: string;
let dir: string;

beforeAll(() => {
  // The assets dir and, next to it, a file that no request may reach.
  root = mkdtempSync(join(tmpdir(), 'dashboard-assets-'));
  dir = join(root, 'dist');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'export {}');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  writeFileSync(join(root, 'outside-secret.txt'), 'secret');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const resolve = (pathname: string, accept: string | null = BROWSER) =>
  resolveDashboardRequest({ pathname, accept, assetsDir: dir });

describe('resolveDashboardRequest', () => {
  it('serves index.html at / to a browser with the CSP and no caching', () => {
    const asset = resolve('/');
    expect(asset?.file).toBe(join(dir, 'index.html'));
    expect(asset?.fallback).toBe(false);
    expect(asset?.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(asset?.headers['cache-control']).toBe('no-cache');
    expect(asset?.headers['content-security-policy']).toBe(DASHBOARD_CSP);
  });

  it('falls back to index.html for client-side routes only when HTML is accepted', () => {
    expect(resolve('/envs/web-1')?.fallback).toBe(true);
    expect(resolve('/envs/web-1', 'application/json')).toBeNull();
    expect(resolve('/', 'application/json')).toBeNull();
    expect(resolve('/', '*/*')).toBeNull();
  });

  it('serves hashed assets as immutable with their content type', () => {
    const asset = resolve('/assets/index-abc123.js', '*/*');
    expect(asset?.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset?.headers['cache-control']).toBe(IMMUTABLE_CACHE);
    expect(asset?.headers['content-security-policy']).toBeUndefined();
  });

  it('answers a missing file with null, never with index.html', () => {
    expect(resolve('/assets/gone-000.js', BROWSER)).toBeNull();
    expect(resolve('/robots.txt')).toBeNull();
  });

  it('never answers API paths, even for browsers', () => {
    expect(resolve('/v1/hosts')).toBeNull();
    expect(resolve('/api/envs')).toBeNull();
    expect(resolve('/metrics')).toBeNull();
  });

  it('refuses paths that escape the assets directory', () => {
    expect(resolve('/../outside-secret.txt')).toBeNull();
    expect(resolve('/%2e%2e/outside-secret.txt')).toBeNull();
    expect(resolve('/assets/%2e%2e/%2e%2e/outside-secret.txt')).toBeNull();
    expect(resolve('/%00.js')).toBeNull();
    expect(resolve('/%E0%A4%A')).toBeNull();
  });
});

describe('acceptsHtml', () => {
  it('is true for browser navigations and false for wildcard-only clients', () => {
    expect(acceptsHtml(BROWSER)).toBe(true);
    expect(acceptsHtml('text/html')).toBe(true);
    expect(acceptsHtml('*/*')).toBe(false);
    expect(acceptsHtml(undefined)).toBe(false);
  });
});

describe('dashboardAssetsDir', () => {
  it('names the dist folder of this package', () => {
    expect(dashboardAssetsDir()).toMatch(/packages[/\\]dashboard[/\\]dist$/);
  });
});
