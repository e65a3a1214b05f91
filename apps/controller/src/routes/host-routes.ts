import { controllerRoutes as r } from '@apiary/protocol';
import { bindRoute } from '../http/bind-route.js';
import { requireRole } from '../services/auth/principal.js';
import { activateHost, getDrainStatus, startDrain, undrainHost } from '../services/drain/drains.js';
import { addHost } from '../services/hosts/add-host.js';
import { agentBaseUrl, testAgentConnection } from '../services/hosts/connection-test.js';
import { getHostView } from '../services/hosts/host-view.js';
import { listHosts, removeHost, updateHost } from '../services/hosts/manage-hosts.js';
import type { RouteDeps } from './route-deps.js';

export function registerHostRoutes({ ctx, router, bind, kickDrains }: RouteDeps) {
  bindRoute(router, r.listHosts, bind, ({ principal, query }) => listHosts(ctx, principal, query));
  // Registered before `/hosts/:id` routes of the same method so `test` is not taken for an id.
  bindRoute(router, r.testHost, bind, async ({ principal, body, requestId }) => {
    requireRole(principal, 'org_admin', 'testing a host connection');
    const key = body.api_key;
    return (await testAgentConnection(ctx, agentBaseUrl(body.addr), key, requestId)).result;
  });
  bindRoute(router, r.addHost, bind, async ({ principal, body, requestId }) => {
    const { host, created } = await addHost(ctx, principal, body, requestId);
    return { status: created ? 201 : 200, body: host };
  });
  bindRoute(router, r.getHost, bind, ({ principal, params }) =>
    getHostView(ctx, principal, params.id),
  );
  bindRoute(router, r.updateHost, bind, ({ principal, params, body }) =>
    updateHost(ctx, principal, params.id, body),
  );
  bindRoute(router, r.removeHost, bind, ({ principal, params }) =>
    removeHost(ctx, principal, params.id),
  );
  bindRoute(router, r.drainHost, bind, ({ principal, params, body }) =>
    startDrain(ctx, principal, params.id, body, kickDrains),
  );
  bindRoute(router, r.drainStatus, bind, ({ principal, params }) =>
    getDrainStatus(ctx, principal, params.id),
  );
  bindRoute(router, r.undrainHost, bind, ({ principal, params }) =>
    undrainHost(ctx, principal, params.id),
  );
  bindRoute(router, r.activateHost, bind, ({ principal, params }) =>
    activateHost(ctx, principal, params.id),
  );
}
