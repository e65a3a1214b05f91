import type { Role } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { param, statement } from '../../db/prepared-statement.js';

import { iso } from '../../lib/clock.js';
import { secretMatches, secretPrefix } from '../../lib/secrets.js';
import { lowerRole, type Principal } from './principal.js';

/** last_used_at is written at most this often per key: authentication stays read-only. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * A bearer token resolved: the caller, or why the token does not work. The reason is said only
 * to whoever presented the token (who holds the secret already); an unknown token gets none.
 */
export type BearerOutcome = { principal: Principal } | { refused: string };

const UNKNOWN: BearerOutcome = { refused: 'invalid, expired or revoked credential' };

/**
 * Resolves a bearer token (API key `apy_...` or session `aps_...`). Rows are found by the
 * token's non-secret prefix; the hash comparison is constant-time. What a credential may do is
 * read from its user as it is now: demoting or disabling a user changes every key and session
 * of that user on their next request.
 */
export async function authenticateBearer(ctx: Ctx, token: string): Promise<BearerOutcome> {
  if (token.length < 20 || token.length > 128) return UNKNOWN;
  if (token.startsWith('apy_')) return await authenticateApiKey(ctx, token);
  if (token.startsWith('aps_')) return await authenticateSession(ctx, token);
  return UNKNOWN;
}

/* Every request with an API key reads its key (and user) by the key's prefix: prepared once. */
const apiKeysByPrefix = statement('api_keys_by_prefix', (db, { apiKeys, users }) =>
  db
    .select({ key: apiKeys, user: users })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.prefix, param('prefix'))),
);

async function authenticateApiKey(ctx: Ctx, token: string): Promise<BearerOutcome> {
  const { apiKeys } = ctx.t;
  const now = ctx.clock.now();
  const candidates = await apiKeysByPrefix.run(ctx, { prefix: secretPrefix(token) });
  for (const { key, user } of candidates) {
    if (!secretMatches(token, key.keyHash)) continue;
    if (key.revokedAt !== null) return { refused: `API key ${key.id} was revoked` };
    if (key.expiresAt !== null && key.expiresAt <= now) {
      return { refused: `API key ${key.id} expired at ${iso(key.expiresAt)}` };
    }
    // A key whose user is gone was revoked with the user; one without a user never had one.
    if (key.userId !== null && !user) return { refused: `API key ${key.id} has no user` };
    if (user?.disabled) return { refused: `user ${user.username} is disabled` };
    if (key.lastUsedAt === null || now - key.lastUsedAt > LAST_USED_RESOLUTION_MS) {
      await ctx.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, key.id));
    }
    return {
      principal: {
        via: 'api_key',
        role: user ? lowerRole(key.role, user.role) : key.role,
        orgId: keyOrg(key.role, key.orgId, user),
        userId: key.userId,
        apiKeyId: key.id,
        sessionId: null,
        scopes: key.scopes ?? null,
      },
    };
  }
  return UNKNOWN;
}

/**
 * The organization a key acts in. A super-admin key spans every organization only while its
 * user is a super-admin; otherwise the key is confined to its own organization or its user's.
 */
function keyOrg(
  keyRole: Role,
  keyOrgId: string | null,
  user: { role: Role; orgId: string | null } | null,
): string | null {
  if (!user || (keyRole === 'super_admin' && user.role === 'super_admin')) return keyOrgId;
  return keyOrgId ?? user.orgId;
}

async function authenticateSession(ctx: Ctx, token: string): Promise<BearerOutcome> {
  const { sessions, users } = ctx.t;
  const now = ctx.clock.now();
  const candidates = await ctx.db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.prefix, secretPrefix(token)));
  for (const { session, user } of candidates) {
    if (!secretMatches(token, session.tokenHash)) continue;
    if (session.expiresAt <= now) return { refused: 'session expired: log in again' };
    if (user.disabled) return { refused: `user ${user.username} is disabled` };
    return {
      principal: {
        via: 'session',
        role: user.role,
        orgId: user.orgId,
        userId: user.id,
        apiKeyId: null,
        sessionId: session.id,
        scopes: null,
      },
    };
  }
  return UNKNOWN;
}

/** The principal of a request from the controller's own machine when the bypass is on. */
export const LOCALHOST_PRINCIPAL: Principal = {
  via: 'localhost',
  role: 'super_admin',
  orgId: null,
  userId: null,
  apiKeyId: null,
  sessionId: null,
  scopes: null,
};
