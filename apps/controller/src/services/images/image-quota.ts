import { ApiError, type OrgImageUsage, type OrgUsage } from '@apiary/protocol';
import { count, eq, sum } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DbOrTx, Tables } from '../../db/database.js';

import { getOrg } from '../auth/orgs.js';
import { assertVisible, type Principal, requireRole } from '../auth/principal.js';

/*
 * Image storage per organization: every image record of the organization counts its size (the
 * blob may be shared with another organization's record; the quota is what each asked the
 * controller to keep). Public images count for nobody. The quota is the organization's own, or
 * the controller's default.
 */

export async function imageUsage(
  { images, orgs }: Tables,
  db: DbOrTx,
  defaultQuota: number,
  orgId: string,
): Promise<OrgImageUsage> {
  const used = (
    await db
      .select({ n: count(), bytes: sum(images.size) })
      .from(images)
      .where(eq(images.orgId, orgId))
  )[0];
  const own = (
    await db.select({ quota: orgs.imageQuotaBytes }).from(orgs).where(eq(orgs.id, orgId))
  )[0]?.quota;
  return {
    count: used?.n ?? 0,
    bytes: Number(used?.bytes ?? 0),
    quota_bytes: own ?? defaultQuota,
    quota_is_default: own === null || own === undefined,
  };
}

export function quotaExceeded(usage: OrgImageUsage, adding: number): ApiError {
  return new ApiError(
    'quota_exceeded',
    `the organization's image quota is ${usage.quota_bytes} bytes; ${usage.bytes} are used and this image needs ${adding}`,
    { details: { used_bytes: usage.bytes, quota_bytes: usage.quota_bytes, image_bytes: adding } },
  );
}

/** `GET /v1/orgs/:id/usage`: the organization's members and super-admins. */
export async function getOrgUsage(ctx: Ctx, p: Principal, orgId: string): Promise<OrgUsage> {
  await getOrg(ctx, orgId);
  assertVisible(p, orgId, `organization ${orgId}`);
  return {
    org_id: orgId,
    images: await imageUsage(ctx.t, ctx.db, ctx.config.orgImageQuotaBytes, orgId),
  };
}

/** `PUT /v1/orgs/:id/image-quota` (super-admin); null returns to the default. */
export async function setOrgImageQuota(
  ctx: Ctx,
  p: Principal,
  orgId: string,
  quotaBytes: number | null,
): Promise<OrgUsage> {
  const { orgs } = ctx.t;
  requireRole(p, 'super_admin', "setting an organization's image quota");
  await getOrg(ctx, orgId);
  await ctx.db.update(orgs).set({ imageQuotaBytes: quotaBytes }).where(eq(orgs.id, orgId));
  ctx.log.info({ org_id: orgId, quota_bytes: quotaBytes }, 'image quota set');
  return getOrgUsage(ctx, p, orgId);
}

/** Refuses when the organization cannot take `adding` more bytes of images. */
export async function checkQuota(
  t: Tables,
  db: DbOrTx,
  defaultQuota: number,
  orgId: string,
  adding: number,
) {
  const usage = await imageUsage(t, db, defaultQuota, orgId);
  if (usage.bytes + adding > usage.quota_bytes) throw quotaExceeded(usage, adding);
  return usage;
}
