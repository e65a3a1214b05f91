import {
  ApiError,
  type CreateRegistryReq,
  FetchUrl,
  type Registry,
  type RegistryBoxes,
} from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, eq, or } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { registries } from '../../db/pg-schema.js';
import { iso } from '../../lib/clock.js';
import { resolveTargetOrg } from '../auth/orgs.js';
import { isSuperAdmin, type Principal, requireRole } from '../auth/principal.js';
import { isUniqueViolation } from '../sagas/saga-engine.js';
import { searchBoxes } from './registry-client.js';

type Row = typeof registries.$inferSelect;

/*
 * An organization's box registries. The token is sealed with the controller's secret box (as
 * agent keys are) and opened only to put it in the Authorization header of a request to that
 * registry: never returned, never logged.
 */

function view(r: Row): Registry {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    org_id: r.orgId,
    has_token: r.tokenEnc !== null,
    created_at: iso(r.createdAt),
  };
}

export async function listRegistries(ctx: Ctx, p: Principal, org?: string) {
  const { registries } = ctx.t;
  const orgId = await resolveTargetOrg(ctx, p, org);
  const rows = await ctx.db
    .select()
    .from(registries)
    .where(eq(registries.orgId, orgId))
    .orderBy(registries.name);
  return { items: rows.map(view) };
}

export async function createRegistry(ctx: Ctx, p: Principal, req: CreateRegistryReq) {
  requireRole(p, 'org_admin', 'adding a box registry');
  const orgId = await resolveTargetOrg(ctx, p, req.org_id);
  const row: Row = {
    id: newId('reg'),
    orgId,
    name: req.name,
    url: req.url.replace(/\/+$/, ''),
    tokenEnc: req.token ? ctx.box.seal(req.token) : null,
    createdAt: ctx.clock.now(),
  };
  try {
    await ctx.db.insert(ctx.t.registries).values(row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ApiError('conflict', `the organization already has a registry named ${req.name}`);
    throw error;
  }
  ctx.log.info(
    { registry_id: row.id, name: row.name, url: row.url, org_id: orgId },
    'registry added',
  );
  return view(row);
}

/** The registry `id` as the caller may see it (its organization's; a super-admin's: any). */
async function visibleRow(ctx: Ctx, p: Principal, id: string): Promise<Row> {
  const { registries } = ctx.t;
  const row = (await ctx.db.select().from(registries).where(eq(registries.id, id)))[0];
  if (!row || (!isSuperAdmin(p) && row.orgId !== p.orgId))
    throw new ApiError('not_found', `registry ${id} not found`);
  return row;
}

export async function deleteRegistry(ctx: Ctx, p: Principal, id: string) {
  requireRole(p, 'org_admin', 'removing a box registry');
  const row = await visibleRow(ctx, p, id);
  await ctx.db.delete(ctx.t.registries).where(eq(ctx.t.registries.id, row.id));
  return { ok: true as const };
}

/** Where to reach a registry and how to authenticate there. */
export interface RegistryTarget {
  id: string | null;
  url: string;
  /** The bearer token, opened from its sealed form for this request only. */
  token: string | null;
}

function target(ctx: Ctx, row: Row): RegistryTarget {
  return { id: row.id, url: row.url, token: row.tokenEnc ? ctx.box.open(row.tokenEnc) : null };
}

/**
 * A registry named in a request: one of the caller's organization's, by id or name, or the URL
 * of a registry that needs no token.
 */
export async function resolveRegistry(
  ctx: Ctx,
  p: Principal,
  ref: string,
): Promise<RegistryTarget> {
  if (/^https?:\/\//.test(ref)) {
    const url = FetchUrl.safeParse(ref);
    if (!url.success) throw new ApiError('validation', `registry ${ref} is not a usable URL`);
    return { id: null, url: url.data.replace(/\/+$/, ''), token: null };
  }
  const { registries } = ctx.t;
  const orgId = await resolveTargetOrg(ctx, p, undefined);
  const row = (
    await ctx.db
      .select()
      .from(registries)
      .where(and(eq(registries.orgId, orgId), or(eq(registries.id, ref), eq(registries.name, ref))))
  )[0];
  if (!row) throw new ApiError('not_found', `registry ${ref} not found in the organization`);
  return target(ctx, row);
}

export async function listRegistryBoxes(
  ctx: Ctx,
  p: Principal,
  id: string,
  q: string | undefined,
): Promise<RegistryBoxes> {
  const row = await visibleRow(ctx, p, id);
  return { items: await searchBoxes(ctx, target(ctx, row), q) };
}
