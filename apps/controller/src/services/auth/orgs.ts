import { ApiError, type Organization, type Pagination } from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, count, eq, gt, isNotNull, isNull, ne, not, or, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { apiKeys, envs, hosts, images, licenseKeys, meta, orgs, users } from '../../db/schema.js';
import { iso } from '../../lib/clock.js';
import { isSuperAdmin, type Principal, requireRole } from './principal.js';

export const DEFAULT_ORG_NAME = 'default';

export function toOrgView(
  row: Pick<typeof orgs.$inferSelect, 'id' | 'name' | 'createdAt'>,
): Organization {
  return { id: row.id, name: row.name, created_at: iso(row.createdAt) };
}

/** The organization super-admins act in when they name none (created at bootstrap). */
export function defaultOrgId(ctx: Ctx): string {
  const row = ctx.db.select().from(meta).where(eq(meta.key, 'default_org_id')).get();
  if (!row) throw new ApiError('internal', 'default organization missing');
  return row.value;
}

/** The organization an action happens in: the caller's own, or the one a super-admin names. */
export function resolveTargetOrg(ctx: Ctx, p: Principal, requested: string | undefined): string {
  if (requested !== undefined && requested !== p.orgId) {
    if (!isSuperAdmin(p))
      throw new ApiError('forbidden', 'only a super-admin may act in another organization');
    getOrg(ctx, requested);
    return requested;
  }
  return p.orgId ?? defaultOrgId(ctx);
}

export function getOrg(ctx: Ctx, id: string) {
  const row = ctx.db.select().from(orgs).where(eq(orgs.id, id)).get();
  if (!row) throw new ApiError('not_found', `organization ${id} not found`);
  return row;
}

export function createOrg(ctx: Ctx, p: Principal, input: { name: string }): Organization {
  requireRole(p, 'super_admin', 'creating an organization');
  const existing = ctx.db.select().from(orgs).where(eq(orgs.name, input.name)).get();
  if (existing) throw new ApiError('conflict', `organization ${input.name} already exists`);
  const row = { id: newId('org'), name: input.name, createdAt: ctx.clock.now() };
  ctx.db.insert(orgs).values(row).run();
  return toOrgView(row);
}

export function listOrgs(ctx: Ctx, p: Principal, page: Pagination) {
  const where = isSuperAdmin(p) ? undefined : eq(orgs.id, p.orgId ?? '__none__');
  const items = ctx.db
    .select()
    .from(orgs)
    .where(where)
    .orderBy(orgs.createdAt, orgs.id)
    .limit(page.limit)
    .offset(page.offset)
    .all();
  const total = ctx.db.select({ n: count() }).from(orgs).where(where).get()?.n ?? 0;
  return { items: items.map(toOrgView), total, limit: page.limit, offset: page.offset };
}

/** API keys of an organization that still open something: neither revoked nor expired. */
function liveApiKeysOf(orgId: string, now: number) {
  return and(
    eq(apiKeys.orgId, orgId),
    isNull(apiKeys.revokedAt),
    or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
  );
}

/** Refused while anything alive still belongs to the organization. */
export function deleteOrg(ctx: Ctx, p: Principal, id: string) {
  requireRole(p, 'super_admin', 'deleting an organization');
  getOrg(ctx, id);
  const now = ctx.clock.now();
  if (id === defaultOrgId(ctx))
    throw new ApiError('conflict', 'the default organization cannot be deleted');
  const counts: Array<[string, number]> = [
    ['users', ctx.db.select({ n: count() }).from(users).where(eq(users.orgId, id)).get()?.n ?? 0],
    ['hosts', ctx.db.select({ n: count() }).from(hosts).where(eq(hosts.orgId, id)).get()?.n ?? 0],
    [
      'environments',
      ctx.db
        .select({ n: count() })
        .from(envs)
        .where(and(eq(envs.orgId, id), ne(envs.state, 'deleted')))
        .get()?.n ?? 0,
    ],
    [
      'live API keys',
      ctx.db.select({ n: count() }).from(apiKeys).where(liveApiKeysOf(id, now)).get()?.n ?? 0,
    ],
    [
      'live license keys',
      ctx.db
        .select({ n: count() })
        .from(licenseKeys)
        .where(and(eq(licenseKeys.orgId, id), isNull(licenseKeys.revokedAt)))
        .get()?.n ?? 0,
    ],
    [
      'images',
      ctx.db.select({ n: count() }).from(images).where(eq(images.orgId, id)).get()?.n ?? 0,
    ],
  ];
  for (const [what, n] of counts) {
    if (n > 0) throw new ApiError('conflict', `organization still has ${n} ${what}`);
  }
  ctx.db.transaction((tx) => {
    // Deleted environments and dead keys (revoked or expired: they open nothing) are history;
    // they go with their organization.
    tx.delete(envs).where(eq(envs.orgId, id)).run();
    tx.delete(apiKeys)
      .where(and(eq(apiKeys.orgId, id), not(liveApiKeysOf(id, now) as SQL)))
      .run();
    tx.delete(licenseKeys)
      .where(and(eq(licenseKeys.orgId, id), isNotNull(licenseKeys.revokedAt)))
      .run();
    tx.delete(orgs).where(eq(orgs.id, id)).run();
  });
  return { ok: true as const };
}
