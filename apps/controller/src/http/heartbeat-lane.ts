import { controllerRoutes, type HeartbeatReq } from '@apiary/protocol';
import { createFastLane, type FastLane } from '@apiary/server-kit';
import type { Ctx } from '../context.js';
import { heartbeat } from '../services/hosts/agent-link.js';
import { bearerFrom } from './auth.js';
import { authenticateHostToken, type HostPrincipal } from './host-auth.js';

/**
 * Heartbeats on the fast lane (server-kit fast-lane.ts): the bulk of a controller's requests,
 * answered before hono with the same authentication, limits, schema and handler as the bound
 * route (internal-routes.ts), which still serves them wherever the lane is not in front (the
 * in-process app of the tests). Mounted where app.ts mounts the `/v1` router: `/v1` and `/api`.
 */
export function createHeartbeatLane(ctx: Ctx, options: { validateResponses: boolean }): FastLane {
  const route = controllerRoutes.heartbeat;
  return createFastLane({
    log: ctx.log,
    metrics: ctx.metrics,
    quiet: () => true,
    errors: { log: ctx.log, service: 'controller' },
    validateResponses: options.validateResponses,
    routes: [
      {
        route,
        paths: [route.path, route.path.replace(/^\/v1\//, '/api/')],
        authenticate: ({ headers, params }) =>
          authenticateHostToken(ctx, bearerFrom(headers.authorization), params.id),
        handle: ({ principal, body }) =>
          heartbeat(ctx, principal as HostPrincipal, body as HeartbeatReq),
      },
    ],
  });
}
