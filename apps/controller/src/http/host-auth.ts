import { ApiError, HOST_CREDENTIAL_HEADER } from '@apiary/protocol';
import type { Context } from 'hono';
import type { Ctx } from '../context.js';
import { verifyLicenseKey } from '../services/auth/license-keys.js';
import { findHostByCredential, reloadHost } from '../services/hosts/host-credential.js';
import type { CredentialMatch } from '../services/hosts/liveness-tracker.js';
import type { RegistrationPrincipal } from '../services/hosts/register-host.js';
import type { AppEnv } from './app-env.js';
import { bearerToken } from './auth.js';
import { requestHeader } from './header.js';

/** An agent, authenticated by its per-host credential (the current one or a rotated one). */
export interface HostPrincipal {
  hostId: string;
  credential: CredentialMatch;
}

/**
 * `host` routes. Those of one host (`/internal/hosts/:id/...`: heartbeats, the bulk of all
 * traffic) check the credential against the hashes the liveness tracker keeps in memory, with
 * no database read; only a miss reads the host again (another controller of the database may
 * have registered it or rotated its credential). The others (image pulls) find the host by its
 * credential.
 */
export async function authenticateHost(ctx: Ctx, c: Context<AppEnv>): Promise<HostPrincipal> {
  return await authenticateHostToken(ctx, bearerToken(c), c.req.param('id'));
}

/**
 * `authenticateHost` from the bearer token and the route's host id (the heartbeat lane's way):
 * answered at once when the credential matches the hashes in memory, the heartbeat's case.
 */
export function authenticateHostToken(
  ctx: Ctx,
  token: string | undefined,
  hostId: string | undefined,
): HostPrincipal | Promise<HostPrincipal> {
  const credential = token && hostId !== undefined && ctx.liveness.checkCredential(hostId, token);
  if (credential && hostId !== undefined) return { hostId, credential };
  return authenticateHostSlowly(ctx, token, hostId);
}

async function authenticateHostSlowly(
  ctx: Ctx,
  token: string | undefined,
  hostId: string | undefined,
): Promise<HostPrincipal> {
  if (!token) throw new ApiError('unauthenticated', 'missing host credential');
  if (hostId !== undefined) {
    // Not matched in memory: another controller may have registered the host or rotated it.
    await reloadHost(ctx, hostId);
    if (!ctx.liveness.has(hostId)) {
      ctx.metrics.heartbeats.inc({ result: 'unknown_host' });
      // The agent registers again when it reads this.
      throw new ApiError('not_found', `host ${hostId} is not registered; register again`);
    }
    const credential = ctx.liveness.checkCredential(hostId, token);
    if (!credential) {
      ctx.metrics.heartbeats.inc({ result: 'bad_credential' });
      throw new ApiError(
        'unauthenticated',
        `bad host credential for ${hostId} (revoked or replaced); an operator can let the host register again with: apiary hosts reset-credential ${hostId}`,
      );
    }
    return { hostId, credential };
  }
  const found = await findHostByCredential(ctx, token);
  if (!found) throw new ApiError('unauthenticated', 'bad host credential');
  return { hostId: found.host.id, credential: found.match };
}

/** `license` routes (registration): the organization's license key as the bearer token. */
export async function authenticateLicense(
  ctx: Ctx,
  c: Context<AppEnv>,
): Promise<RegistrationPrincipal> {
  const token = bearerToken(c);
  const license = token ? await verifyLicenseKey(ctx, token) : undefined;
  if (!license) {
    ctx.metrics.heartbeats.inc({ result: 'register_refused' });
    throw new ApiError(
      'unauthenticated',
      token
        ? 'unknown or revoked license key'
        : 'missing license key: send Authorization: Bearer <license key>',
    );
  }
  const credential = requestHeader(c, HOST_CREDENTIAL_HEADER)?.trim();
  if (!credential) return { license, presented: null };
  const found = credential.length <= 128 ? await findHostByCredential(ctx, credential) : undefined;
  return {
    license,
    presented: found ? { host: found.host, match: found.match, token: credential } : 'invalid',
  };
}
