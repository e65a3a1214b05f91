import { controllerRoutes as r } from '@apiary/protocol';
import { eq } from 'drizzle-orm';

import { createApiKey, listApiKeys, revokeApiKey } from '../services/auth/api-keys.js';
import {
  createLicenseKey,
  listLicenseKeys,
  revokeLicenseKey,
} from '../services/auth/license-keys.js';
import { LoginThrottle } from '../services/auth/login-throttle.js';
import { createOrg, deleteOrg, getOrg, listOrgs, toOrgView } from '../services/auth/orgs.js';
import { login, logout } from '../services/auth/sessions.js';
import {
  createUser,
  deleteUser,
  listUsers,
  toUserView,
  updateUser,
} from '../services/auth/users.js';
import type { RouteDeps } from './route-deps.js';

export function registerAuthRoutes({ ctx, router, bind, remoteAddress }: RouteDeps) {
  const throttle = new LoginThrottle(ctx.clock);
  bind(router, r.login, ({ c, body }) => login(ctx, body, { throttle, address: remoteAddress(c) }));
  bind(router, r.logout, ({ principal }) => logout(ctx, principal));
  bind(router, r.whoami, async ({ principal: p }) => {
    const { users } = ctx.t;
    const user = p.userId
      ? (await ctx.db.select().from(users).where(eq(users.id, p.userId)))[0]
      : undefined;
    return {
      via: p.via,
      user: user ? toUserView(user) : null,
      role: p.role,
      org: p.orgId ? toOrgView(await getOrg(ctx, p.orgId)) : null,
      api_key_id: p.apiKeyId,
      scopes: p.scopes,
    };
  });

  bind(router, r.listOrgs, ({ principal, query }) => listOrgs(ctx, principal, query));
  bind(router, r.createOrg, ({ principal, body }) => createOrg(ctx, principal, body));
  bind(router, r.deleteOrg, ({ principal, params }) => deleteOrg(ctx, principal, params.id));

  bind(router, r.listUsers, ({ principal, query }) => listUsers(ctx, principal, query));
  bind(router, r.createUser, ({ principal, body }) => createUser(ctx, principal, body));
  bind(router, r.updateUser, ({ principal, params, body }) =>
    updateUser(ctx, principal, params.id, body),
  );
  bind(router, r.deleteUser, ({ principal, params }) => deleteUser(ctx, principal, params.id));

  bind(router, r.listApiKeys, ({ principal, query }) => listApiKeys(ctx, principal, query));
  bind(router, r.createApiKey, ({ principal, body }) => createApiKey(ctx, principal, body));
  bind(router, r.revokeApiKey, ({ principal, params }) => revokeApiKey(ctx, principal, params.id));

  bind(router, r.listLicenseKeys, ({ principal, query }) => listLicenseKeys(ctx, principal, query));
  bind(router, r.createLicenseKey, ({ principal, body }) => createLicenseKey(ctx, principal, body));
  bind(router, r.revokeLicenseKey, ({ principal, params }) =>
    revokeLicenseKey(ctx, principal, params.id),
  );
}
