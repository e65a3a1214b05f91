import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { apiKeys, sessions, users } from '../../db/schema.js';
import { secretMatches, secretPrefix } from '../../lib/secrets.js';
import type { Principal } from './principal.js';

/** last_used_at is written at most this often per key: authentication stays read-only. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves a bearer token (API key `apy_...` or session `aps_...`) to a principal, or null.
 * Rows are found by the token's non-secret prefix; the hash comparison is constant-time.
 */
export function authenticateBearer(ctx: Ctx, token: string): Principal | null {
  if (token.length < 20 || token.length > 128) return null;
  if (token.startsWith('apy_')) return authenticateApiKey(ctx, token);
  if (token.startsWith('aps_')) return authenticateSession(ctx, token);
  return null;
}

function authenticateApiKey(ctx: Ctx, token: string): Principal | null {
  const now = ctx.clock.now();
  const candidates = ctx.db
    .select({ key: apiKeys, user: users })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.prefix, secretPrefix(token)))
    .all();
  for (const { key, user } of candidates) {
    if (!secretMatches(token, key.keyHash)) continue;
    if (key.revokedAt !== null) return null;
    if (key.expiresAt !== null && key.expiresAt <= now) return null;
    if (user?.disabled) return null;
    if (key.lastUsedAt === null || now - key.lastUsedAt > LAST_USED_RESOLUTION_MS) {
      ctx.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, key.id)).run();
    }
    return {
      via: 'api_key',
      role: key.role,
      orgId: key.orgId,
      userId: key.userId,
      apiKeyId: key.id,
      sessionId: null,
    };
  }
  return null;
}

function authenticateSession(ctx: Ctx, token: string): Principal | null {
  const now = ctx.clock.now();
  const candidates = ctx.db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.prefix, secretPrefix(token)))
    .all();
  for (const { session, user } of candidates) {
    if (!secretMatches(token, session.tokenHash)) continue;
    if (session.expiresAt <= now || user.disabled) return null;
    return {
      via: 'session',
      role: user.role,
      orgId: user.orgId,
      userId: user.id,
      apiKeyId: null,
      sessionId: session.id,
    };
  }
  return null;
}

/** The principal of a request from the controller's own machine when the bypass is on. */
export const LOCALHOST_PRINCIPAL: Principal = {
  via: 'localhost',
  role: 'super_admin',
  orgId: null,
  userId: null,
  apiKeyId: null,
  sessionId: null,
};
