import { ApiError } from '@apiary/protocol';
import type { Context } from 'hono';
import type { Ctx } from '../context.js';
import { verifyLicenseKey } from '../services/auth/license-keys.js';
import { findHostByCredential } from '../services/hosts/host-view.js';
import type { AppEnv } from './app-env.js';
import { bearerToken } from './auth.js';

/** An agent, authenticated by the per-host credential it got when it registered. */
export interface HostPrincipal {
  hostId: string;
}

/**
 * `host` routes. Those of one host (`/internal/hosts/:id/...`: heartbeats, the bulk of all
 * traffic) check the credential against the hash the liveness tracker keeps in memory, with no
 * database read; the others (image pulls) find the host by its credential.
 */
export function authenticateHost(ctx: Ctx, c: Context<AppEnv>): HostPrincipal {
  const token = bearerToken(c);
  if (!token) throw new ApiError('unauthenticated', 'missing host credential');
  const hostId = c.req.param('id');
  if (hostId !== undefined) {
    if (!ctx.liveness.has(hostId)) {
      ctx.metrics.heartbeats.inc({ result: 'unknown_host' });
      // The agent registers again when it reads this.
      throw new ApiError('not_found', `host ${hostId} is not registered; register again`);
    }
    if (!ctx.liveness.checkCredential(hostId, token)) {
      ctx.metrics.heartbeats.inc({ result: 'bad_credential' });
      throw new ApiError('unauthenticated', 'bad host credential; register again');
    }
    return { hostId };
  }
  const host = findHostByCredential(ctx, token);
  if (!host) throw new ApiError('unauthenticated', 'bad host credential');
  return { hostId: host.id };
}

/** `license` routes (registration): the organization's license key as the bearer token. */
export function authenticateLicense(ctx: Ctx, c: Context<AppEnv>) {
  const token = bearerToken(c);
  const license = token ? verifyLicenseKey(ctx, token) : undefined;
  if (!license) {
    ctx.metrics.heartbeats.inc({ result: 'register_refused' });
    throw new ApiError(
      'unauthenticated',
      token
        ? 'unknown or revoked license key'
        : 'missing license key: send Authorization: Bearer <license key>',
    );
  }
  return license;
}
