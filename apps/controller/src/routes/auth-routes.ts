import { controllerRoutes as r } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { users } from '../db/schema.js';
import { bindRoute } from '../http/bind-route.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/auth/api-keys.js';
import {
  createLicenseKey,
  listLicenseKeys,
  revokeLicenseKey,
} from '../services/auth/license-keys.js';
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

export function registerAuthRoutes({ ctx, router, bind }: RouteDeps) {
  bindRoute(router, r.login, bind, ({ body }) => login(ctx, body));
  bindRoute(router, r.logout, bind, ({ principal }) => logout(ctx, principal));
  bindRoute(router, r.whoami, bind, ({ principal: p }) => {
    const user = p.userId
      ? ctx.db.select().from(users).where(eq(users.id, p.userId)).get()
      : undefined;
    return {
      via: p.via,
      user: user ? toUserView(user) : null,
      role: p.role,
      org: p.orgId ? toOrgView(getOrg(ctx, p.orgId)) : null,
      api_key_id: p.apiKeyId,
    };
  });

  bindRoute(router, r.listOrgs, bind, ({ principal, query }) => listOrgs(ctx, principal, query));
  bindRoute(router, r.createOrg, bind, ({ principal, body }) => createOrg(ctx, principal, body));
  bindRoute(router, r.deleteOrg, bind, ({ principal, params }) =>
    deleteOrg(ctx, principal, params.id),
  );

  bindRoute(router, r.listUsers, bind, ({ principal, query }) => listUsers(ctx, principal, query));
  bindRoute(router, r.createUser, bind, ({ principal, body }) => createUser(ctx, principal, body));
  bindRoute(router, r.updateUser, bind, ({ principal, params, body }) =>
    updateUser(ctx, principal, params.id, body),
  );
  bindRoute(router, r.deleteUser, bind, ({ principal, params }) =>
    deleteUser(ctx, principal, params.id),
  );

  bindRoute(router, r.listApiKeys, bind, ({ principal, query }) =>
    listApiKeys(ctx, principal, query),
  );
  bindRoute(router, r.createApiKey, bind, ({ principal, body }) =>
    createApiKey(ctx, principal, body),
  );
  bindRoute(router, r.revokeApiKey, bind, ({ principal, params }) =>
    revokeApiKey(ctx, principal, params.id),
  );

  bindRoute(router, r.listLicenseKeys, bind, ({ principal, query }) =>
    listLicenseKeys(ctx, principal, query),
  );
  bindRoute(router, r.createLicenseKey, bind, ({ principal, body }) =>
    createLicenseKey(ctx, principal, body),
  );
  bindRoute(router, r.revokeLicenseKey, bind, ({ principal, params }) =>
    revokeLicenseKey(ctx, principal, params.id),
  );
}
