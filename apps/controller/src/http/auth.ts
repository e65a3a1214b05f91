import { ApiError } from '@apiary/protocol';
import type { Context } from 'hono';
import type { Ctx } from '../context.js';
import { authenticateBearer, LOCALHOST_PRINCIPAL } from '../services/auth/authenticate.js';
import type { Principal } from '../services/auth/principal.js';
import type { AppEnv } from './app-env.js';
import { requestHeader } from './header.js';

export function bearerToken(c: Context<AppEnv>): string | undefined {
  const header = requestHeader(c, 'authorization');
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The bypass also wants the request addressed to a loopback name: a web page on this machine
 * that rebinds its own DNS name to 127.0.0.1 reaches us from loopback, but with its own name
 * in the Host header, and must not get in.
 */
function addressedToLoopback(c: Context<AppEnv>): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(c.req.url).hostname);
  } catch {
    return false;
  }
}

/**
 * Resolves the caller of a request: a valid bearer token, else (only when configured on) a
 * request from the controller's own machine. An invalid token is never rescued by the bypass.
 */
export function createPrincipalResolver(
  ctx: Ctx,
  remoteAddress: (c: Context<AppEnv>) => string | undefined,
) {
  return (c: Context<AppEnv>): Principal | undefined => {
    if (c.get('principal')) return c.get('principal');
    const token = bearerToken(c);
    let principal: Principal | undefined;
    if (token) principal = authenticateBearer(ctx, token) ?? undefined;
    else if (
      ctx.config.localhostBypass &&
      LOOPBACK.has(remoteAddress(c) ?? '') &&
      addressedToLoopback(c)
    )
      principal = LOCALHOST_PRINCIPAL;
    c.set('principal', principal);
    return principal;
  };
}

export function requirePrincipal(
  c: Context<AppEnv>,
  resolve: (c: Context<AppEnv>) => Principal | undefined,
): Principal {
  const principal = resolve(c);
  if (!principal) {
    throw new ApiError(
      'unauthenticated',
      bearerToken(c)
        ? 'invalid, expired or revoked credential'
        : 'missing credential: send Authorization: Bearer <api key or session token>',
    );
  }
  return principal;
}

export function nodeRemoteAddress(c: Context<AppEnv>): string | undefined {
  return c.env?.incoming?.socket?.remoteAddress;
}
