import { ApiError } from '@apiary/protocol';
import { and, eq, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { envs, vms } from '../../db/pg-schema.js';
import { isSuperAdmin, type Principal } from '../auth/principal.js';
import type { EnvRow, VmRow } from './env-view.js';

/*
 * Environments and VMs are addressed by name within an organization: the caller's own, or for
 * a super-admin the one named by `?org=`. A super-admin who names no organization gets the one
 * match across all of them; when several organizations use the name, the answer says so (a
 * super-admin may see every organization) and asks for `?org=`. Nobody else can reach another
 * organization by name, and an unknown name is the same 404 whether or not another
 * organization uses it.
 */

/** The organization a lookup is confined to; undefined: every organization (super-admin). */
function lookupOrg(p: Principal, org: string | undefined): string | undefined {
  if (isSuperAdmin(p)) return org;
  if (org !== undefined && org !== p.orgId) {
    throw new ApiError('forbidden', 'only a super-admin may address another organization');
  }
  return p.orgId ?? '__none__';
}

function pickOne<T extends { orgId: string }>(rows: T[], what: string): T {
  const [first] = rows;
  if (!first) throw new ApiError('not_found', `${what} not found`);
  if (rows.length > 1) {
    const orgs = rows.map((r) => r.orgId).join(', ');
    throw new ApiError(
      'conflict',
      `${what} exists in ${rows.length} organizations (${orgs}): name one with ?org=ORG_ID`,
    );
  }
  return first;
}

function scoped(column: typeof envs.orgId | typeof vms.orgId, org: string | undefined) {
  return org === undefined ? [] : [eq(column, org)];
}

/** The environment `name` as the caller may address it, or 404. */
export async function findEnv(ctx: Ctx, p: Principal, name: string, org?: string): Promise<EnvRow> {
  const { envs } = ctx.t;
  const conds: SQL[] = [eq(envs.name, name), ...scoped(envs.orgId, lookupOrg(p, org))];
  const rows = await ctx.db
    .select()
    .from(envs)
    .where(and(...conds));
  return pickOne(rows, `environment ${name}`);
}

/** The VM `name` as the caller may address it, or 404. */
export async function findVm(ctx: Ctx, p: Principal, name: string, org?: string): Promise<VmRow> {
  const { vms } = ctx.t;
  const conds: SQL[] = [eq(vms.name, name), ...scoped(vms.orgId, lookupOrg(p, org))];
  const rows = await ctx.db
    .select()
    .from(vms)
    .where(and(...conds));
  return pickOne(rows, `VM ${name}`);
}
