import { controllerRoutes as r } from '@apiary/protocol';
import { requireRole } from '../services/auth/principal.js';
import { activateHost, getDrainStatus, startDrain, undrainHost } from '../services/drain/drains.js';
import { addHost } from '../services/hosts/add-host.js';
import { agentBaseUrl, testAgentConnection } from '../services/hosts/connection-test.js';
import {
  resetHostCredential,
  revokeHostCredential,
  rotateHostCredential,
} from '../services/hosts/credential-actions.js';
import { acceptHostCertificate } from '../services/hosts/host-certificate.js';
import { getHostView } from '../services/hosts/host-view.js';
import { listHosts, removeHost, updateHost } from '../services/hosts/manage-hosts.js';
import { hostStats } from '../services/stats/usage-stats.js';
import type { RouteDeps } from './route-deps.js';

export function registerHostRoutes({ ctx, router, bind, kickDrains }: RouteDeps) {
  bind(router, r.listHosts, async ({ principal, query }) => await listHosts(ctx, principal, query));
  // Registered before `/hosts/:id` routes of the same method so `test` is not taken for an id.
  bind(router, r.testHost, async ({ principal, body }) => {
    requireRole(principal, 'org_admin', 'testing a host connection');
    const key = body.api_key;
    const baseUrl = await agentBaseUrl(ctx, body.addr);
    return (await testAgentConnection(ctx, baseUrl, key, body.tls_fingerprint)).result;
  });
  bind(router, r.addHost, async ({ principal, body }) => {
    const { host, created } = await addHost(ctx, principal, body);
    return { status: created ? 201 : 200, body: host };
  });
  bind(router, r.getHost, ({ principal, params }) => getHostView(ctx, principal, params.id));
  bind(router, r.hostStats, ({ principal, params, query }) =>
    hostStats(ctx, principal, params.id, query),
  );
  bind(router, r.updateHost, ({ principal, params, body }) =>
    updateHost(ctx, principal, params.id, body),
  );
  bind(router, r.removeHost, ({ principal, params }) => removeHost(ctx, principal, params.id));
  bind(router, r.drainHost, ({ principal, params, body }) =>
    startDrain(ctx, principal, params.id, body, kickDrains),
  );
  bind(router, r.drainStatus, ({ principal, params }) => getDrainStatus(ctx, principal, params.id));
  bind(router, r.undrainHost, ({ principal, params }) => undrainHost(ctx, principal, params.id));
  bind(router, r.activateHost, ({ principal, params }) => activateHost(ctx, principal, params.id));
  bind(router, r.rotateHostCredential, ({ principal, params }) =>
    rotateHostCredential(ctx, principal, params.id),
  );
  bind(router, r.revokeHostCredential, ({ principal, params }) =>
    revokeHostCredential(ctx, principal, params.id),
  );
  bind(router, r.resetHostCredential, ({ principal, params, body }) =>
    resetHostCredential(ctx, principal, params.id, body.expires_in),
  );
  bind(router, r.acceptHostCertificate, ({ principal, params, body }) =>
    acceptHostCertificate(ctx, principal, params.id, body.fingerprint),
  );
}
