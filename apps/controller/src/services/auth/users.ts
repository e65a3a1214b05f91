import {
  ApiError,
  type CreateUserReq,
  type Pagination,
  type Role,
  type User,
} from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, count, eq, isNull } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { users } from '../../db/pg-schema.js';
import { iso } from '../../lib/clock.js';
import { hashPassword } from '../../lib/password.js';
import { getOrg, resolveTargetOrg } from './orgs.js';
import {
  assertVisible,
  isSuperAdmin,
  orgFilter,
  type Principal,
  requireRole,
  roleAtLeast,
} from './principal.js';

export function toUserView(row: typeof users.$inferSelect): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    org_id: row.orgId,
    created_at: iso(row.createdAt),
    disabled: row.disabled,
  };
}

/** Nobody grants a role above their own; org admins manage only their organization. */
function checkGrant(p: Principal, role: Role) {
  requireRole(p, 'org_admin', 'managing users');
  if (!roleAtLeast(p.role, role)) throw new ApiError('forbidden', `cannot grant ${role}`);
}

export async function createUser(ctx: Ctx, p: Principal, input: CreateUserReq): Promise<User> {
  const { users } = ctx.t;
  checkGrant(p, input.role);
  const orgId = input.role === 'super_admin' ? null : await resolveTargetOrg(ctx, p, input.org_id);
  if (orgId) await getOrg(ctx, orgId);
  if ((await ctx.db.select().from(users).where(eq(users.username, input.username)))[0]) {
    throw new ApiError('conflict', `user ${input.username} already exists`);
  }
  const row = {
    id: newId('user'),
    username: input.username,
    passwordHash: await hashPassword(input.password),
    role: input.role,
    orgId,
    disabled: false,
    createdAt: ctx.clock.now(),
  };
  await ctx.db.insert(users).values(row);
  return toUserView(row);
}

export async function listUsers(ctx: Ctx, p: Principal, page: Pagination) {
  const { users } = ctx.t;
  requireRole(p, 'org_admin', 'listing users');
  const org = orgFilter(p);
  const where = org === undefined ? undefined : eq(users.orgId, org);
  const rows = await ctx.db
    .select()
    .from(users)
    .where(where)
    .orderBy(users.createdAt, users.id)
    .limit(page.limit)
    .offset(page.offset);
  const total = (await ctx.db.select({ n: count() }).from(users).where(where))[0]?.n ?? 0;
  return { items: rows.map(toUserView), total, limit: page.limit, offset: page.offset };
}

async function getManagedUser(ctx: Ctx, p: Principal, id: string) {
  const { users } = ctx.t;
  requireRole(p, 'org_admin', 'managing users');
  const row = (await ctx.db.select().from(users).where(eq(users.id, id)))[0];
  if (!row) throw new ApiError('not_found', `user ${id} not found`);
  assertVisible(p, row.orgId, `user ${id}`);
  if (!isSuperAdmin(p) && row.role === 'super_admin')
    throw new ApiError('forbidden', 'cannot manage a super-admin');
  return row;
}

export async function updateUser(
  ctx: Ctx,
  p: Principal,
  id: string,
  input: { password?: string; role?: Role; disabled?: boolean },
): Promise<User> {
  const { sessions, users } = ctx.t;
  const row = await getManagedUser(ctx, p, id);
  if (input.role) checkGrant(p, input.role);
  if (input.role === 'super_admin' && row.orgId !== null) {
    throw new ApiError('validation', 'a super-admin belongs to no organization; create a new user');
  }
  if (input.role && input.role !== 'super_admin' && row.orgId === null) {
    throw new ApiError('validation', 'a super-admin cannot be demoted; create a new user');
  }
  const patch: Partial<typeof users.$inferInsert> = {};
  if (input.password) patch.passwordHash = await hashPassword(input.password);
  if (input.role) patch.role = input.role;
  if (input.disabled !== undefined) patch.disabled = input.disabled;
  await ctx.db.transaction(async (tx) => {
    if (Object.keys(patch).length > 0) await tx.update(users).set(patch).where(eq(users.id, id));
    // A new password or a disabled account ends every session of that user.
    if (input.password || input.disabled) await tx.delete(sessions).where(eq(sessions.userId, id));
  });
  return toUserView({ ...row, ...patch });
}

export async function deleteUser(ctx: Ctx, p: Principal, id: string) {
  const { apiKeys, users } = ctx.t;
  const row = await getManagedUser(ctx, p, id);
  if (row.id === p.userId) throw new ApiError('conflict', 'you cannot delete yourself');
  if (row.role === 'super_admin') {
    const admins = (
      await ctx.db
        .select({ n: count() })
        .from(users)
        .where(and(eq(users.role, 'super_admin'), eq(users.disabled, false)))
    )[0]?.n;
    if ((admins ?? 0) <= 1)
      throw new ApiError('conflict', 'the last super-admin cannot be deleted');
  }
  await ctx.db.transaction(async (tx) => {
    // Keys outlive nobody: a deleted user's API keys stop working with the account.
    await tx
      .update(apiKeys)
      .set({ revokedAt: ctx.clock.now() })
      .where(and(eq(apiKeys.userId, id), isNull(apiKeys.revokedAt)));
    await tx.delete(users).where(eq(users.id, id));
  });
  return { ok: true as const };
}
