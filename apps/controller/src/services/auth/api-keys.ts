import {
  ApiError,
  type ApiKey,
  type CreateApiKeyReq,
  type CreatedApiKey,
  hasScope,
  type Pagination,
  SCOPES,
  type Scope,
} from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, count, eq, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Tables } from '../../db/database.js';
import type { apiKeys } from '../../db/pg-schema.js';
import { iso, isoOrNull } from '../../lib/clock.js';
import { newSecret } from '../../lib/secrets.js';
import { assertApiKeyQuota } from './api-key-quota.js';
import { resolveTargetOrg } from './orgs.js';
import { isSuperAdmin, type Principal, roleAtLeast } from './principal.js';

export function toApiKeyView(row: typeof apiKeys.$inferSelect): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    scopes: row.scopes ?? null,
    org_id: row.orgId,
    user_id: row.userId,
    created_at: iso(row.createdAt),
    expires_at: isoOrNull(row.expiresAt),
    revoked_at: isoOrNull(row.revokedAt),
    last_used_at: isoOrNull(row.lastUsedAt),
  };
}

/**
 * Creates a key at most as powerful as its creator: no higher role, no scope the creator's own
 * key lacks (a scoped key makes keys within its scopes). The key is in the response, once.
 */
export async function createApiKey(
  ctx: Ctx,
  p: Principal,
  input: CreateApiKeyReq,
): Promise<CreatedApiKey> {
  const { apiKeys } = ctx.t;
  const role = input.role ?? p.role;
  if (!roleAtLeast(p.role, role)) throw new ApiError('forbidden', `cannot create a ${role} key`);
  const scopes = input.scopes ?? p.scopes;
  const beyond = (scopes ?? Object.keys(SCOPES)).filter((s) => !hasScope(p.scopes, s as Scope));
  if (beyond.length > 0) {
    throw new ApiError('forbidden', `cannot grant scopes your own key lacks: ${beyond.join(', ')}`);
  }
  const orgId = role === 'super_admin' ? null : await resolveTargetOrg(ctx, p, input.org_id);
  await assertApiKeyQuota(ctx, p, orgId);
  const now = ctx.clock.now();
  const secret = newSecret('apy');
  const row = {
    id: newId('key'),
    name: input.name,
    prefix: secret.prefix,
    keyHash: secret.hash,
    role,
    orgId,
    userId: p.userId,
    scopes: scopes ? [...scopes] : null,
    createdAt: now,
    expiresAt: input.expires_in ? now + input.expires_in * 1000 : null,
    revokedAt: null,
    lastUsedAt: null,
  };
  await ctx.db.insert(apiKeys).values(row);
  return { ...toApiKeyView(row), key: secret.secret };
}

/** Super-admins see every key, org admins their organization's, members their own. */
function visibleKeys({ apiKeys }: Tables, p: Principal): SQL | undefined {
  if (isSuperAdmin(p)) return undefined;
  if (p.role === 'org_admin') return eq(apiKeys.orgId, p.orgId ?? '__none__');
  return and(eq(apiKeys.orgId, p.orgId ?? '__none__'), eq(apiKeys.userId, p.userId ?? '__none__'));
}

export async function listApiKeys(ctx: Ctx, p: Principal, page: Pagination) {
  const { apiKeys } = ctx.t;
  const where = visibleKeys(ctx.t, p);
  const rows = await ctx.db
    .select()
    .from(apiKeys)
    .where(where)
    .orderBy(apiKeys.createdAt, apiKeys.id)
    .limit(page.limit)
    .offset(page.offset);
  const total = (await ctx.db.select({ n: count() }).from(apiKeys).where(where))[0]?.n ?? 0;
  return { items: rows.map(toApiKeyView), total, limit: page.limit, offset: page.offset };
}

export async function revokeApiKey(ctx: Ctx, p: Principal, id: string) {
  const { apiKeys } = ctx.t;
  const where = visibleKeys(ctx.t, p);
  const row = (
    await ctx.db
      .select()
      .from(apiKeys)
      .where(where ? and(eq(apiKeys.id, id), where) : eq(apiKeys.id, id))
  )[0];
  if (!row) throw new ApiError('not_found', `API key ${id} not found`);
  if (row.revokedAt === null) {
    await ctx.db.update(apiKeys).set({ revokedAt: ctx.clock.now() }).where(eq(apiKeys.id, id));
  }
  return { ok: true as const };
}
