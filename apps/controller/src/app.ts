import { createErrorHandler, notFoundHandler, requestScope } from '@apiary/server-kit';
import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Ctx } from './context.js';
import type { AppEnv } from './http/app-env.js';
import { auditedBinder } from './http/audited-binder.js';
import { createPrincipalResolver, nodeRemoteAddress } from './http/auth.js';
import { EventStreams } from './http/event-streams.js';
import { createControllerBinder } from './http/route-binding.js';
import { registerAuditRoutes } from './routes/audit-routes.js';
import { registerAuthRoutes } from './routes/auth-routes.js';
import { registerConsoleRoutes } from './routes/console-routes.js';
import { createDashboardResolver, registerDashboardRoutes } from './routes/dashboard-routes.js';
import { registerEnvRoutes } from './routes/env-routes.js';
import { registerEventRoutes } from './routes/events-routes.js';
import { registerHostResourceRoutes } from './routes/host-resource-routes.js';
import { registerHostRoutes } from './routes/host-routes.js';
import { registerImageRoutes } from './routes/image-routes.js';
import { registerInternalRoutes } from './routes/internal-routes.js';
import { registerRecipeRoutes } from './routes/recipe-routes.js';
import { registerRegistryRoutes } from './routes/registry-routes.js';
import type { RouteDeps } from './routes/route-deps.js';
import { registerRootRoutes, registerStatusRoute } from './routes/system-routes.js';
import { registerVmChangeRoutes } from './routes/vm-change-routes.js';
import type { HostRow } from './services/hosts/host-view.js';

export interface AppOptions {
  /** Remote address of a request (the localhost bypass); defaults to the Node socket's. */
  remoteAddress?: (c: Context<AppEnv>) => string | undefined;
  validateResponses?: boolean;
  kickDrains?: () => void;
  /** Polls the hosts added by address now (a registered agent sends its inventory itself). */
  kickPoll?: () => void;
  /** Built dashboard to serve; default: the @apiary/dashboard package's dist/. */
  dashboardDir?: string;
  /** Open event streams (the core re-checks their callers); default: a registry of its own. */
  eventStreams?: EventStreams;
}

/**
 * Builds the HTTP app from its dependencies; no I/O happens here. Every `/v1` route is mounted
 * twice, under `/v1` and under `/api`, so the seed-003 examples work as written.
 */
export function createApp(ctx: Ctx, options: AppOptions = {}) {
  const app = new Hono<AppEnv>();
  const remoteAddress = options.remoteAddress ?? nodeRemoteAddress;
  const principalOf = createPrincipalResolver(ctx, remoteAddress);
  const bind = auditedBinder(
    ctx,
    createControllerBinder(ctx, {
      validateResponses: options.validateResponses ?? false,
      principalOf,
    }),
    remoteAddress,
  );
  const kickDrains = options.kickDrains ?? (() => {});
  const kickPoll = options.kickPoll ?? (() => {});
  // A registered agent brings its heartbeat forward when its inventory changes; an added host
  // has no heartbeats, so the controller asks it.
  const refreshInventory = (host: HostRow) => {
    if (host.source === 'added') kickPoll();
  };

  app.use(
    '*',
    ...requestScope({
      log: ctx.log,
      metrics: ctx.metrics,
      // Heartbeats are the bulk of the traffic: logged at debug so they cannot drown the rest.
      quiet: (route) => route.endsWith('/heartbeat'),
    }),
  );
  if (ctx.config.corsOrigins.length > 0) {
    const allowed = new Set(ctx.config.corsOrigins.map((o) => new URL(o).origin));
    app.use(
      '*',
      cors({
        origin: (origin) => (allowed.has(origin) ? origin : null),
        allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
        allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        exposeHeaders: ['X-Request-Id'],
        maxAge: 600,
      }),
    );
  }

  const dashboard = createDashboardResolver(options.dashboardDir);
  registerRootRoutes(ctx, app, dashboard);
  const v1 = new Hono<AppEnv>();
  const deps: RouteDeps = { ctx, router: v1, bind, kickDrains, refreshInventory, remoteAddress };
  registerStatusRoute(deps);
  registerAuditRoutes(deps);
  registerInternalRoutes(deps);
  registerAuthRoutes(deps);
  registerHostRoutes(deps);
  registerHostResourceRoutes(deps);
  registerEnvRoutes(deps);
  registerVmChangeRoutes(deps);
  registerImageRoutes(deps);
  registerRegistryRoutes(deps);
  registerRecipeRoutes(deps);
  registerEventRoutes(deps, options.eventStreams ?? new EventStreams(ctx));
  registerConsoleRoutes(deps);
  app.route('/v1', v1);
  app.route('/api', v1);
  registerDashboardRoutes(app, dashboard);

  app.notFound(notFoundHandler);
  app.onError(createErrorHandler({ log: ctx.log, service: 'controller' }));
  return app;
}
