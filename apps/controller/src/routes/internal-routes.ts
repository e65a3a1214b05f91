import { controllerRoutes as r } from '@apiary/protocol';
import { deregisterHost, heartbeat } from '../services/hosts/agent-link.js';
import { registerHost } from '../services/hosts/register-host.js';
import type { RouteDeps } from './route-deps.js';

/** The agent link: registration with a license key, then everything with the host credential. */
export function registerInternalRoutes({ ctx, router, bind }: RouteDeps) {
  bind(router, r.registerHost, ({ principal, body }) => registerHost(ctx, principal, body));
  bind(router, r.heartbeat, ({ principal, body }) => heartbeat(ctx, principal, body));
  bind(router, r.deregisterHost, ({ params, body }) => deregisterHost(ctx, params.id, body.reason));
}
