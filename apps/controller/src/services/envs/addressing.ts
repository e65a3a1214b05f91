import { ApiError } from '@apiary/protocol';
import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { param, statement } from '../../db/prepared-statement.js';
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

/* Every request about an environment or VM finds it by name: prepared once (prepared-statement.ts). */

/** The organization's environment of that name (create checks it before and inside its transaction). */
export const envByOrgAndName = statement('env_by_org_and_name', (db, { envs }) =>
  db
    .select()
    .from(envs)
    .where(and(eq(envs.orgId, param('orgId')), eq(envs.name, param('name')))),
);

const envsByName = statement('envs_by_name', (db, { envs }) =>
  db
    .select()
    .from(envs)
    .where(eq(envs.name, param('name'))),
);

const vmByOrgAndName = statement('vm_by_org_and_name', (db, { vms }) =>
  db
    .select()
    .from(vms)
    .where(and(eq(vms.orgId, param('orgId')), eq(vms.name, param('name')))),
);

const vmsByName = statement('vms_by_name', (db, { vms }) =>
  db
    .select()
    .from(vms)
    .where(eq(vms.name, param('name'))),
);

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

/** The environment `name` as the caller may address it, or 404. */
export async function findEnv(ctx: Ctx, p: Principal, name: string, org?: string): Promise<EnvRow> {
  const orgId = lookupOrg(p, org);
  const rows =
    orgId === undefined
      ? await envsByName.run(ctx, { name })
      : await envByOrgAndName.run(ctx, { orgId, name });
  return pickOne(rows, `environment ${name}`);
}

/** The VM `name` as the caller may address it, or 404. */
export async function findVm(ctx: Ctx, p: Principal, name: string, org?: string): Promise<VmRow> {
  const orgId = lookupOrg(p, org);
  const rows =
    orgId === undefined
      ? await vmsByName.run(ctx, { name })
      : await vmByOrgAndName.run(ctx, { orgId, name });
  return pickOne(rows, `VM ${name}`);
}
