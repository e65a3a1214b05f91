import { ApiError, type Organization, type Pagination } from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, count, eq, gt, isNotNull, isNull, ne, not, or, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Tables } from '../../db/database.js';
import type { orgs } from '../../db/pg-schema.js';
import { param, statement } from '../../db/prepared-statement.js';
import { iso } from '../../lib/clock.js';
import { isSuperAdmin, type Principal, requireRole } from './principal.js';

export const DEFAULT_ORG_NAME = 'default';

export function toOrgView(
  row: Pick<typeof orgs.$inferSelect, 'id' | 'name' | 'createdAt'>,
): Organization {
  return { id: row.id, name: row.name, created_at: iso(row.createdAt) };
}

/* Read by every create of a super-admin without an organization: prepared once. */
const metaValue = statement('meta_value', (db, { meta }) =>
  db
    .select()
    .from(meta)
    .where(eq(meta.key, param('key'))),
);

/** The organization super-admins act in when they name none (created at bootstrap). */
export async function defaultOrgId(ctx: Ctx): Promise<string> {
  const row = (await metaValue.run(ctx, { key: 'default_org_id' }))[0];
  if (!row) throw new ApiError('internal', 'default organization missing');
  return row.value;
}

/** The organization an action happens in: the caller's own, or the one a super-admin names. */
export async function resolveTargetOrg(
  ctx: Ctx,
  p: Principal,
  requested: string | undefined,
): Promise<string> {
  if (requested !== undefined && requested !== p.orgId) {
    if (!isSuperAdmin(p))
      throw new ApiError('forbidden', 'only a super-admin may act in another organization');
    await getOrg(ctx, requested);
    return requested;
  }
  return p.orgId ?? defaultOrgId(ctx);
}

export async function getOrg(ctx: Ctx, id: string) {
  const { orgs } = ctx.t;
  const row = (await ctx.db.select().from(orgs).where(eq(orgs.id, id)))[0];
  if (!row) throw new ApiError('not_found', `organization ${id} not found`);
  return row;
}

export async function createOrg(
  ctx: Ctx,
  p: Principal,
  input: { name: string },
): Promise<Organization> {
  const { orgs } = ctx.t;
  requireRole(p, 'super_admin', 'creating an organization');
  const existing = (await ctx.db.select().from(orgs).where(eq(orgs.name, input.name)))[0];
  if (existing) throw new ApiError('conflict', `organization ${input.name} already exists`);
  const row = { id: newId('org'), name: input.name, createdAt: ctx.clock.now() };
  await ctx.db.insert(orgs).values(row);
  return toOrgView(row);
}

export async function listOrgs(ctx: Ctx, p: Principal, page: Pagination) {
  const { orgs } = ctx.t;
  const where = isSuperAdmin(p) ? undefined : eq(orgs.id, p.orgId ?? '__none__');
  const items = await ctx.db
    .select()
    .from(orgs)
    .where(where)
    .orderBy(orgs.createdAt, orgs.id)
    .limit(page.limit)
    .offset(page.offset);
  const total = (await ctx.db.select({ n: count() }).from(orgs).where(where))[0]?.n ?? 0;
  return { items: items.map(toOrgView), total, limit: page.limit, offset: page.offset };
}

/** API keys of an organization that still open something: neither revoked nor expired. */
function liveApiKeysOf({ apiKeys }: Tables, orgId: string, now: number) {
  return and(
    eq(apiKeys.orgId, orgId),
    isNull(apiKeys.revokedAt),
    or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
  );
}

/** Refused while anything alive still belongs to the organization. */
export async function deleteOrg(ctx: Ctx, p: Principal, id: string) {
  const { apiKeys, envs, hosts, images, licenseKeys, orgs, registries, users } = ctx.t;
  requireRole(p, 'super_admin', 'deleting an organization');
  await getOrg(ctx, id);
  const now = ctx.clock.now();
  if (id === (await defaultOrgId(ctx)))
    throw new ApiError('conflict', 'the default organization cannot be deleted');
  const counts: Array<[string, number]> = [
    [
      'users',
      (await ctx.db.select({ n: count() }).from(users).where(eq(users.orgId, id)))[0]?.n ?? 0,
    ],
    [
      'hosts',
      (await ctx.db.select({ n: count() }).from(hosts).where(eq(hosts.orgId, id)))[0]?.n ?? 0,
    ],
    [
      'environments',
      (
        await ctx.db
          .select({ n: count() })
          .from(envs)
          .where(and(eq(envs.orgId, id), ne(envs.state, 'deleted')))
      )[0]?.n ?? 0,
    ],
    [
      'live API keys',
      (
        await ctx.db
          .select({ n: count() })
          .from(apiKeys)
          .where(liveApiKeysOf(ctx.t, id, now))
      )[0]?.n ?? 0,
    ],
    [
      'live license keys',
      (
        await ctx.db
          .select({ n: count() })
          .from(licenseKeys)
          .where(and(eq(licenseKeys.orgId, id), isNull(licenseKeys.revokedAt)))
      )[0]?.n ?? 0,
    ],
    [
      'images',
      (await ctx.db.select({ n: count() }).from(images).where(eq(images.orgId, id)))[0]?.n ?? 0,
    ],
    [
      'box registries',
      (await ctx.db.select({ n: count() }).from(registries).where(eq(registries.orgId, id)))[0]
        ?.n ?? 0,
    ],
  ];
  for (const [what, n] of counts) {
    if (n > 0) throw new ApiError('conflict', `organization still has ${n} ${what}`);
  }
  await ctx.db.transaction(async (tx) => {
    // Deleted environments and dead keys (revoked or expired: they open nothing) are history;
    // they go with their organization.
    await tx.delete(envs).where(eq(envs.orgId, id));
    await tx
      .delete(apiKeys)
      .where(and(eq(apiKeys.orgId, id), not(liveApiKeysOf(ctx.t, id, now) as SQL)));
    await tx
      .delete(licenseKeys)
      .where(and(eq(licenseKeys.orgId, id), isNotNull(licenseKeys.revokedAt)));
    await tx.delete(orgs).where(eq(orgs.id, id));
  });
  return { ok: true as const };
}
