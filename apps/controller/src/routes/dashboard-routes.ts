import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { type DashboardAsset, resolveDashboardRequest } from '@apiary/dashboard';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../http/app-env.js';

/** What the dashboard answers for a request, or null: not a dashboard request. */
export type DashboardResolver = (c: Context<AppEnv>) => DashboardAsset | null;

export function createDashboardResolver(assetsDir?: string): DashboardResolver {
  return (c) =>
    resolveDashboardRequest({ pathname: c.req.path, accept: c.req.header('accept'), assetsDir });
}

/** Sends a built file with the headers the dashboard package chose (CSP, cache policy). */
export function sendDashboardAsset(c: Context<AppEnv>, asset: DashboardAsset): Response {
  // Hono answers HEAD through the GET route; the raw request still says HEAD: open no file.
  if (c.req.raw.method === 'HEAD') return c.body(null, 200, asset.headers);
  const body = Readable.toWeb(createReadStream(asset.file)) as ReadableStream<Uint8Array>;
  return c.body(body, 200, asset.headers);
}

/**
 * The dashboard's files and client-side routes (`/envs/web-1` -> index.html for a browser).
 * Registered after every API route and before notFound, so it only sees GETs nothing else
 * answered; `/v1`, `/api` and `/metrics` are never answered with the dashboard.
 */
export function registerDashboardRoutes(router: Hono<AppEnv>, resolve: DashboardResolver) {
  router.get('*', (c, next) => {
    const asset = resolve(c);
    return asset ? sendDashboardAsset(c, asset) : next();
  });
}
