import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import type { Principal } from './principal.js';

/**
 * Whether the credential a principal was resolved from still holds: the session not ended or
 * expired, the API key not revoked or expired, the user not disabled. Used where a grant made
 * earlier (a console ticket) is spent later, without the credential at hand.
 */
export async function isPrincipalCurrent(ctx: Ctx, p: Principal): Promise<boolean> {
  const { apiKeys, sessions, users } = ctx.t;
  const now = ctx.clock.now();
  if (p.via === 'localhost') return ctx.config.localhostBypass;
  if (p.via === 'session') {
    const row = (
      await ctx.db
        .select({ expiresAt: sessions.expiresAt, disabled: users.disabled })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.id, p.sessionId ?? ''))
    )[0];
    return row !== undefined && row.expiresAt > now && !row.disabled;
  }
  const row = (
    await ctx.db
      .select({ key: apiKeys, disabled: users.disabled })
      .from(apiKeys)
      .leftJoin(users, eq(users.id, apiKeys.userId))
      .where(eq(apiKeys.id, p.apiKeyId ?? ''))
  )[0];
  if (!row || row.key.revokedAt !== null) return false;
  if (row.key.expiresAt !== null && row.key.expiresAt <= now) return false;
  return row.disabled !== true;
}
