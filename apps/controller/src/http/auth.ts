import { ApiError, hasScope, type RouteDef } from '@apiary/protocol';
import type { Context } from 'hono';
import type { Ctx } from '../context.js';
import {
  authenticateBearer,
  type BearerOutcome,
  LOCALHOST_PRINCIPAL,
} from '../services/auth/authenticate.js';
import type { Principal } from '../services/auth/principal.js';
import type { AppEnv } from './app-env.js';
import { requestHeader } from './header.js';

export function bearerToken(c: Context<AppEnv>): string | undefined {
  return bearerFrom(requestHeader(c, 'authorization'));
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerFrom(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
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
  const outcomes = new WeakMap<Context<AppEnv>, BearerOutcome | null>();
  return async (c: Context<AppEnv>): Promise<BearerOutcome | null> => {
    if (outcomes.has(c)) return outcomes.get(c) ?? null;
    const token = bearerToken(c);
    let outcome: BearerOutcome | null = null;
    if (token) outcome = await authenticateBearer(ctx, token);
    else if (
      ctx.config.localhostBypass &&
      LOOPBACK.has(remoteAddress(c) ?? '') &&
      addressedToLoopback(c)
    )
      outcome = { principal: LOCALHOST_PRINCIPAL };
    outcomes.set(c, outcome);
    c.set('principal', outcome && 'principal' in outcome ? outcome.principal : undefined);
    return outcome;
  };
}

/**
 * The `user` authenticator: the caller, refused with 401 (no, unknown, expired or revoked
 * credential, disabled user) or 403 (an API key without the scope the route names).
 */
export async function requirePrincipal(
  c: Context<AppEnv>,
  resolve: (c: Context<AppEnv>) => Promise<BearerOutcome | null>,
  route?: RouteDef,
): Promise<Principal> {
  const outcome = await resolve(c);
  if (!outcome) {
    throw new ApiError(
      'unauthenticated',
      'missing credential: send Authorization: Bearer <api key or session token>',
    );
  }
  if ('refused' in outcome) throw new ApiError('unauthenticated', outcome.refused);
  const { principal } = outcome;
  if (route && !hasScope(principal.scopes, route.scope)) {
    throw new ApiError(
      'forbidden',
      `this API key is limited to ${principal.scopes?.join(', ')}; ${route.method} ${route.path} needs the scope ${route.scope}`,
    );
  }
  return principal;
}

export function nodeRemoteAddress(c: Context<AppEnv>): string | undefined {
  return c.env?.incoming?.socket?.remoteAddress;
}
