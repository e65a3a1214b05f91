import {
  ApiError,
  ENV_ACTIONS,
  type Env,
  type EnvListQuery,
  envActionAllowed,
  LIFETIME,
  type Vm,
} from '@apiary/protocol';
import { and, count, desc, eq, ne, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import { isSuperAdmin, orgFilter, type Principal } from '../auth/principal.js';
import { findEnv, findVm } from './addressing.js';
import { startDeleteSaga, startPowerSaga } from './env-sagas.js';
import { transitionEnv } from './env-state.js';
import { envView, envViewColumns, toEnvViews, vmView } from './env-view.js';

export async function listEnvs(ctx: Ctx, p: Principal, q: EnvListQuery) {
  const { envs } = ctx.t;
  const conds: SQL[] = [];
  const org = orgFilter(p);
  if (org !== undefined) conds.push(eq(envs.orgId, org));
  if (q.org !== undefined) {
    if (!isSuperAdmin(p) && q.org !== p.orgId) {
      throw new ApiError('forbidden', 'only a super-admin may list another organization');
    }
    conds.push(eq(envs.orgId, q.org));
  }
  // Deleted environments are history: listed only when asked for.
  conds.push(q.state ? eq(envs.state, q.state) : ne(envs.state, 'deleted'));
  if (q.owner) conds.push(eq(envs.owner, q.owner));
  const where = and(...conds);
  // The page and its VMs in one statement (env-vms-json.ts).
  const rows = await ctx.db
    .select(envViewColumns(ctx))
    .from(envs)
    .where(where)
    .orderBy(desc(envs.createdAt), envs.id)
    .limit(q.limit)
    .offset(q.offset);
  // The count of every matching environment (30,000 index entries: a third of the page's
  // statements' time) is kept until the environments change, like status's figures.
  const total = await ctx.listTotals.get(
    `envs-total:${JSON.stringify([org, q.org, q.state, q.owner])}`,
    ['envs'],
    async () => (await ctx.db.select({ n: count() }).from(envs).where(where))[0]?.n ?? 0,
  );
  return { items: toEnvViews(ctx, rows), total, limit: q.limit, offset: q.offset };
}

/** `name` is the caller's name for the environment; `org` a super-admin's `?org=`. */
export async function getEnv(ctx: Ctx, p: Principal, name: string, org?: string): Promise<Env> {
  return await envView(ctx, (await findEnv(ctx, p, name, org)).id);
}

export async function getVm(ctx: Ctx, p: Principal, name: string, org?: string): Promise<Vm> {
  return await vmView(ctx, (await findVm(ctx, p, name, org)).id);
}

function busy(name: string, state: string): ApiError {
  return new ApiError('conflict', `environment ${name} is ${state}; try again when it settles`, {
    retryable: true,
  });
}

export async function stopEnv(ctx: Ctx, p: Principal, name: string, org?: string): Promise<Env> {
  const env = await findEnv(ctx, p, name, org);
  if (ENV_ACTIONS.stop.done.includes(env.state)) return await envView(ctx, env.id);
  if (!(await transitionEnv(ctx, env.id, [...ENV_ACTIONS.stop.from], 'stopping')))
    throw busy(name, env.state);
  await startPowerSaga(ctx, env.id, 'stop');
  return await envView(ctx, env.id);
}

export async function startEnv(ctx: Ctx, p: Principal, name: string, org?: string): Promise<Env> {
  const env = await findEnv(ctx, p, name, org);
  if (ENV_ACTIONS.start.done.includes(env.state)) return await envView(ctx, env.id);
  if (!(await transitionEnv(ctx, env.id, [...ENV_ACTIONS.start.from], 'starting')))
    throw busy(name, env.state);
  await startPowerSaga(ctx, env.id, 'start');
  return await envView(ctx, env.id);
}

/**
 * Deleting is refused only while the environment is being created (the create saga owns its
 * VMs until it settles); from any other state it proceeds and is idempotent.
 */
export async function deleteEnv(ctx: Ctx, p: Principal, name: string, org?: string): Promise<Env> {
  const env = await findEnv(ctx, p, name, org);
  if (env.state === 'deleted') return await envView(ctx, env.id);
  if (env.state === 'deleting') {
    await startDeleteSaga(ctx, env.id);
    return await envView(ctx, env.id);
  }
  if (!(await transitionEnv(ctx, env.id, [...ENV_ACTIONS.delete.from], 'deleting')))
    throw busy(name, env.state);
  await startDeleteSaga(ctx, env.id);
  return await envView(ctx, env.id);
}

/** Adds seconds to the remaining lifetime; a lifetime never exceeds the maximum from now. */
export async function extendEnv(
  ctx: Ctx,
  p: Principal,
  name: string,
  seconds: number,
  org?: string,
): Promise<Env> {
  const { envs } = ctx.t;
  const env = await findEnv(ctx, p, name, org);
  if (!envActionAllowed(env.state, 'extend')) {
    throw new ApiError('conflict', `environment ${name} is ${env.state}`);
  }
  const now = ctx.clock.now();
  const expiresAt = Math.max(env.expiresAt, now) + seconds * 1000;
  if (expiresAt - now > LIFETIME.max * 1000) {
    throw new ApiError('validation', `an environment may live at most ${LIFETIME.max} s from now`);
  }
  await ctx.db
    .update(envs)
    .set({ expiresAt, lifetime: Math.round((expiresAt - env.createdAt) / 1000), updatedAt: now })
    .where(eq(envs.id, env.id));
  ctx.events.publish({
    type: 'env.state',
    orgId: env.orgId,
    data: { id: env.name, org_id: env.orgId, state: env.state, expires_at: expiresAt },
  });
  return await envView(ctx, env.id);
}
