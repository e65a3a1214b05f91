import {
  ApiError,
  type CreatedLicenseKey,
  type LicenseKey,
  type Pagination,
} from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, count, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DbOrTx, Tables } from '../../db/database.js';
import type { licenseKeys } from '../../db/pg-schema.js';
import { iso, isoOrNull } from '../../lib/clock.js';
import { newSecret, secretMatches, secretPrefix } from '../../lib/secrets.js';
import { resolveTargetOrg } from './orgs.js';
import { orgFilter, type Principal, requireRole } from './principal.js';

export type LicenseKeyRow = typeof licenseKeys.$inferSelect;

function toView(row: LicenseKeyRow, hostCount: number): LicenseKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    org_id: row.orgId,
    created_at: iso(row.createdAt),
    revoked_at: isoOrNull(row.revokedAt),
    hosts: hostCount,
  };
}

/** Inserts a license key and returns it in clear, once. Hosts registering with it join `orgId`. */
export async function insertLicenseKey(
  { licenseKeys }: Tables,
  db: DbOrTx,
  now: number,
  name: string,
  orgId: string | null,
) {
  const secret = newSecret('apl');
  const row: LicenseKeyRow = {
    id: newId('lic'),
    name,
    prefix: secret.prefix,
    keyHash: secret.hash,
    orgId,
    createdAt: now,
    revokedAt: null,
  };
  await db.insert(licenseKeys).values(row);
  return { row, key: secret.secret };
}

export async function createLicenseKey(
  ctx: Ctx,
  p: Principal,
  input: { name: string; org_id?: string },
): Promise<CreatedLicenseKey> {
  requireRole(p, 'org_admin', 'creating a license key');
  const orgId = await resolveTargetOrg(ctx, p, input.org_id);
  const { row, key } = await insertLicenseKey(ctx.t, ctx.db, ctx.clock.now(), input.name, orgId);
  return { ...toView(row, 0), key };
}

export async function listLicenseKeys(ctx: Ctx, p: Principal, page: Pagination) {
  const { hosts, licenseKeys } = ctx.t;
  requireRole(p, 'org_admin', 'listing license keys');
  const org = orgFilter(p);
  const where = org === undefined ? undefined : eq(licenseKeys.orgId, org);
  const rows = await ctx.db
    .select()
    .from(licenseKeys)
    .where(where)
    .orderBy(licenseKeys.createdAt, licenseKeys.id)
    .limit(page.limit)
    .offset(page.offset);
  const counts = new Map(
    rows.length === 0
      ? []
      : (
          await ctx.db
            .select({ id: hosts.licenseKeyId, n: count() })
            .from(hosts)
            .where(
              inArray(
                hosts.licenseKeyId,
                rows.map((r) => r.id),
              ),
            )
            .groupBy(hosts.licenseKeyId)
        ).map((r) => [r.id, r.n]),
  );
  const total = (await ctx.db.select({ n: count() }).from(licenseKeys).where(where))[0]?.n ?? 0;
  return {
    items: rows.map((r) => toView(r, counts.get(r.id) ?? 0)),
    total,
    limit: page.limit,
    offset: page.offset,
  };
}

export async function revokeLicenseKey(ctx: Ctx, p: Principal, id: string) {
  const { licenseKeys } = ctx.t;
  requireRole(p, 'org_admin', 'revoking a license key');
  const org = orgFilter(p);
  const row = (
    await ctx.db
      .select()
      .from(licenseKeys)
      .where(
        org === undefined
          ? eq(licenseKeys.id, id)
          : and(eq(licenseKeys.id, id), eq(licenseKeys.orgId, org)),
      )
  )[0];
  if (!row) throw new ApiError('not_found', `license key ${id} not found`);
  if (row.revokedAt === null) {
    await ctx.db
      .update(licenseKeys)
      .set({ revokedAt: ctx.clock.now() })
      .where(eq(licenseKeys.id, id));
  }
  return { ok: true as const };
}

/** The live license key matching `presented` (constant-time hash comparison), or null. */
export async function verifyLicenseKey(ctx: Ctx, presented: string): Promise<LicenseKeyRow | null> {
  const { licenseKeys } = ctx.t;
  const candidates = await ctx.db
    .select()
    .from(licenseKeys)
    .where(eq(licenseKeys.prefix, secretPrefix(presented)));
  for (const row of candidates) {
    if (secretMatches(presented, row.keyHash)) return row.revokedAt === null ? row : null;
  }
  return null;
}
