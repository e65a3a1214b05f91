import { ApiError } from '@apiary/protocol';
import { and, count, eq, gt, isNull, or, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import type { Principal } from './principal.js';

/**
 * Active API keys (not revoked, not expired) one user, and one organization, may hold. Every
 * key is a credential that can hold console tickets and event streams of its own: unbounded
 * keys would turn every per-key bound into none.
 */
export const API_KEY_LIMITS = { perUser: 100, perOrg: 1_000 } as const;

/** Refuses (409) a new key for `p` in `orgId` once the user or the organization is at its bound. */
export async function assertApiKeyQuota(
  ctx: Ctx,
  p: Principal,
  orgId: string | null,
): Promise<void> {
  const { apiKeys } = ctx.t;
  const now = ctx.clock.now();
  const active = async (scope: SQL) =>
    (
      await ctx.db
        .select({ n: count() })
        .from(apiKeys)
        .where(
          and(
            scope,
            isNull(apiKeys.revokedAt),
            or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
          ),
        )
    )[0]?.n ?? 0;
  if (p.userId && (await active(eq(apiKeys.userId, p.userId))) >= API_KEY_LIMITS.perUser) {
    throw new ApiError(
      'conflict',
      `you hold ${API_KEY_LIMITS.perUser} active API keys: revoke one before creating another`,
    );
  }
  if (orgId && (await active(eq(apiKeys.orgId, orgId))) >= API_KEY_LIMITS.perOrg) {
    throw new ApiError(
      'conflict',
      `the organization holds ${API_KEY_LIMITS.perOrg} active API keys: revoke some before creating more`,
    );
  }
}
