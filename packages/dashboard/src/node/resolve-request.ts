import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { dashboardAssetsDir } from './assets-dir.js';
import { contentTypeFor, DASHBOARD_CSP, IMMUTABLE_CACHE, REVALIDATE_CACHE } from './headers.js';

export interface DashboardAsset {
  /** Absolute path of the file to send. */
  file: string;
  /** Every response header to set (content type, cache policy, and for HTML the CSP). */
  headers: Record<string, string>;
  /** index.html served for a client-side route such as `/envs/web-1`. */
  fallback: boolean;
}

export interface DashboardRequest {
  /** URL path, still percent-encoded (`c.req.path` in Hono). */
  pathname: string;
  /** The request's Accept header. */
  accept?: string | null;
  /** Defaults to `dashboardAssetsDir()`; tests point it elsewhere. */
  assetsDir?: string;
}

/** Paths that belong to the API: never answered with the dashboard, whatever they accept. */
const API_PREFIXES = ['/v1/', '/api/', '/metrics'];

/**
 * Decides what the controller sends for a `GET`/`HEAD` that no API route matched: a built file,
 * index.html for a browser navigating to a client-side route (SPA fallback), or null (answer
 * 404 / the JSON service info as usual). Only requests that accept HTML get the fallback, so
 * `curl /` and JSON clients keep their answers and a missing `/assets/x.js` is a 404, never HTML.
 */
export function resolveDashboardRequest(request: DashboardRequest): DashboardAsset | null {
  const dir = request.assetsDir ?? dashboardAssetsDir();
  let path: string;
  try {
    path = decodeURIComponent(request.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || !path.startsWith('/')) return null;
  if (API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p))) return null;
  const wantsHtml = acceptsHtml(request.accept);

  if (path !== '/' && extname(path) !== '') {
    const file = normalize(join(dir, path));
    // Refuse anything that escapes the assets directory (`/../`, encoded or not).
    if (!file.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return null;
    if (!isFile(file)) return null;
    const hashed = path.startsWith('/assets/');
    return {
      file,
      headers: headersFor(file, hashed ? IMMUTABLE_CACHE : REVALIDATE_CACHE),
      fallback: false,
    };
  }
  if (!wantsHtml) return null;
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return null;
  return { file: index, headers: headersFor(index, REVALIDATE_CACHE), fallback: path !== '/' };
}

function headersFor(file: string, cacheControl: string): Record<string, string> {
  const extension = extname(file);
  const headers: Record<string, string> = {
    'content-type': contentTypeFor(extension),
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
  };
  if (extension === '.html') {
    headers['content-security-policy'] = DASHBOARD_CSP;
    headers['referrer-policy'] = 'no-referrer';
    headers['x-frame-options'] = 'DENY';
  }
  return headers;
}

/** True when the client lists text/html (browsers navigating), not for `*\/*` alone. */
export function acceptsHtml(accept: string | null | undefined): boolean {
  return /(^|,)\s*text\/html\s*(;|,|$)/i.test(accept ?? '');
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
