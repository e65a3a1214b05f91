import { ApiError, controllerOpenApiDocument, controllerRoutes as r } from '@apiary/protocol';
import { metricsResponse, renderDocsPage } from '@apiary/server-kit';
import type { Hono } from 'hono';
import type { Ctx } from '../context.js';
import type { AppEnv } from '../http/app-env.js';
import { heldLeases, pingDatabase } from '../services/health.js';
import { fleetStatus } from '../services/status.js';
import { CONTROLLER_VERSION } from '../version.js';
import { type DashboardResolver, sendDashboardAsset } from './dashboard-routes.js';
import type { RouteDeps } from './route-deps.js';

export function registerStatusRoute({ ctx, router, bind }: RouteDeps) {
  bind(router, r.status, ({ principal }) => fleetStatus(ctx, principal));
  bind(router, r.health, async () => {
    const database = await pingDatabase(ctx);
    // A controller that cannot reach its database can do nothing: a load balancer must skip it.
    if (!database.ok)
      throw new ApiError('unavailable', 'the database does not answer', { forClient: true });
    return {
      status: ctx.work.stopping ? ('degraded' as const) : ('healthy' as const),
      database,
      leases: heldLeases(ctx),
    };
  });
}

/**
 * Routes outside `/v1` and `/api`: `/` (the dashboard for browsers, service info for everyone
 * else), metrics, the API document.
 */
export function registerRootRoutes(ctx: Ctx, router: Hono<AppEnv>, dashboard: DashboardResolver) {
  router.get('/', (c) => {
    const accept = c.req.header('accept') ?? '';
    if (accept.includes('application/json') || !accept.includes('text/html')) {
      return c.json({ service: 'apiary-controller', version: CONTROLLER_VERSION });
    }
    const asset = dashboard(c);
    return asset ? sendDashboardAsset(c, asset) : c.html(LANDING);
  });
  router.get('/metrics', () => metricsResponse(ctx.metrics.registry));
  let cached: Record<string, unknown> | undefined;
  const openApi = () => {
    cached ??= controllerOpenApiDocument(CONTROLLER_VERSION);
    return cached;
  };
  router.get('/v1/openapi.json', (c) => c.json(openApi()));
  router.get('/api/openapi.json', (c) => c.json(openApi()));
  router.get('/docs', (c) => c.html(renderDocsPage(openApi(), '/v1/openapi.json')));
}

/** Shown to browsers when the dashboard was not built (`pnpm --filter @apiary/dashboard build`). */
const LANDING = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Apiary controller</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}</style></head>
<body><h1>Apiary controller</h1><p>Version ${CONTROLLER_VERSION}. The dashboard is not built into this installation.</p>
<p><a href="/docs">API reference</a> &middot; <a href="/v1/openapi.json">OpenAPI document</a> &middot; <a href="/v1/health">health</a></p>
</body></html>`;
