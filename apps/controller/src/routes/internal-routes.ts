import { controllerRoutes as r } from '@apiary/protocol';
import { deregisterHost, heartbeat, registerHost } from '../services/hosts/agent-link.js';
import type { RouteDeps } from './route-deps.js';

/** The agent link: registration with a license key, then everything with the host credential. */
export function registerInternalRoutes({ ctx, router, bind }: RouteDeps) {
  bind(router, r.registerHost, ({ principal: license, body }) => registerHost(ctx, license, body));
  bind(router, r.heartbeat, ({ params, body }) => heartbeat(ctx, params.id, body));
  bind(router, r.deregisterHost, ({ params, body }) => deregisterHost(ctx, params.id, body.reason));
}
