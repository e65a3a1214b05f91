import { ApiError, type OrgSecret } from '@apiary/protocol';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { iso } from '../../lib/clock.js';

/*
 * An organization's secrets for recipes (`{{secret:NAME}}`): sealed with the installation's key
 * (AES-256-GCM, lib/cipher.ts) like agent API keys, opened only to send a recipe run to its
 * agent. The API shows names, never values; nothing here logs a value.
 */

type Row = { name: string; createdAt: number; updatedAt: number };

const view = (r: Row): OrgSecret => ({
  name: r.name,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
});

export async function listSecrets(ctx: Ctx, orgId: string): Promise<OrgSecret[]> {
  const { orgSecrets } = ctx.t;
  const rows = await ctx.db
    .select()
    .from(orgSecrets)
    .where(eq(orgSecrets.orgId, orgId))
    .orderBy(asc(orgSecrets.name));
  return rows.map(view);
}

export async function putSecret(
  ctx: Ctx,
  orgId: string,
  name: string,
  value: string,
): Promise<OrgSecret> {
  const { orgSecrets } = ctx.t;
  const now = ctx.clock.now();
  const sealed = ctx.box.seal(value);
  const row = (
    await ctx.db
      .insert(orgSecrets)
      .values({ orgId, name, sealed, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [orgSecrets.orgId, orgSecrets.name],
        set: { sealed, updatedAt: now },
      })
      .returning()
  )[0]!;
  return view(row);
}

export async function deleteSecret(ctx: Ctx, orgId: string, name: string): Promise<void> {
  const { orgSecrets } = ctx.t;
  const gone = await ctx.db
    .delete(orgSecrets)
    .where(and(eq(orgSecrets.orgId, orgId), eq(orgSecrets.name, name)))
    .returning();
  if (gone.length === 0) throw new ApiError('not_found', `secret ${name} not found`);
}

/** The values of `names` (all of them, or a validation error naming the missing ones). */
export async function openSecrets(
  ctx: Ctx,
  orgId: string,
  names: string[],
): Promise<Record<string, string>> {
  if (names.length === 0) return {};
  const { orgSecrets } = ctx.t;
  const rows = await ctx.db
    .select()
    .from(orgSecrets)
    .where(and(eq(orgSecrets.orgId, orgId), inArray(orgSecrets.name, names)));
  const missing = names.filter((n) => !rows.some((r) => r.name === n));
  if (missing.length > 0) {
    throw new ApiError(
      'validation',
      `the recipe needs secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: set ${missing.length > 1 ? 'them' : 'it'} with PUT /v1/secrets/{name}`,
    );
  }
  return Object.fromEntries(rows.map((r) => [r.name, ctx.box.open(r.sealed)]));
}
