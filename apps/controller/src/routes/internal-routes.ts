import { controllerRoutes as r } from '@apiary/protocol';
import { bindRoute } from '../http/bind-route.js';
import { deregisterHost, heartbeat, registerHost } from '../services/hosts/agent-link.js';
import type { RouteDeps } from './route-deps.js';

/** The agent link: the license key travels in the body, the host credential as Bearer. */
export function registerInternalRoutes({ ctx, router, bind }: RouteDeps) {
  bindRoute(router, r.registerHost, bind, ({ body }) => registerHost(ctx, body));
  bindRoute(router, r.heartbeat, bind, ({ params, bearer, body }) =>
    heartbeat(ctx, params.id, bearer, body),
  );
  bindRoute(router, r.deregisterHost, bind, ({ params, bearer, body }) =>
    deregisterHost(ctx, params.id, bearer, body.reason),
  );
}
