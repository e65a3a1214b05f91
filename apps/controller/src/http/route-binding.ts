import type { RouteDef } from '@apiary/protocol';
import { createRouteBinder } from '@apiary/server-kit';
import type { Context } from 'hono';
import type { Ctx } from '../context.js';
import type { BearerOutcome } from '../services/auth/authenticate.js';
import type { AppEnv } from './app-env.js';
import { requirePrincipal } from './auth.js';
import { authenticateHost, authenticateLicense } from './host-auth.js';

export interface BindingOptions {
  validateResponses: boolean;
  principalOf: (c: Context<AppEnv>) => Promise<BearerOutcome | null>;
}

/**
 * The controller's route binder: users by session or API key (bounded by the route's scope),
 * agents by host credential, registrations by license key (and, for a known host, its
 * credential). `/v1` routes are mounted on a router that `app.ts` serves under
 * both `/v1` and `/api`.
 */
export function createControllerBinder(ctx: Ctx, options: BindingOptions) {
  return createRouteBinder({
    authenticate: {
      user: (c: Context<AppEnv>, route: RouteDef) =>
        requirePrincipal(c, options.principalOf, route),
      host: (c: Context<AppEnv>) => authenticateHost(ctx, c),
      license: (c: Context<AppEnv>) => authenticateLicense(ctx, c),
    },
    validateResponses: options.validateResponses,
    mountPath: (path) => path.replace(/^\/v1(?=\/|$)/, '') || '/',
  });
}
export type Bind = ReturnType<typeof createControllerBinder>;
