import type { EnvState, FailureInfo } from '@apiary/protocol';
import { and, eq, inArray, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { envs } from '../../db/pg-schema.js';

/**
 * Moves an environment from one of `from` to `to` with a conditional write: of two requests
 * racing (stop and delete, say), exactly one wins. A saga settling the environment passes its
 * lease's `fence`: once another controller has adopted the saga, this write changes nothing.
 */
export async function transitionEnv(
  ctx: Ctx,
  id: string,
  from: EnvState[],
  to: EnvState,
  error?: FailureInfo | null,
  fence?: SQL,
): Promise<boolean> {
  const { envs } = ctx.t;
  const patch: Partial<typeof envs.$inferInsert> = { state: to, updatedAt: ctx.clock.now() };
  if (error !== undefined) {
    patch.errorCode = error?.code ?? null;
    patch.errorMsg = error?.msg ?? null;
  }
  const row = (
    await ctx.db
      .update(envs)
      .set(patch)
      .where(and(eq(envs.id, id), inArray(envs.state, from), fence))
      .returning({ orgId: envs.orgId, name: envs.name })
  )[0];
  if (!row) return false;
  ctx.events.publish({
    type: 'env.state',
    orgId: row.orgId,
    data: { id: row.name, org_id: row.orgId, state: to },
  });
  return true;
}

export async function setEnvError(ctx: Ctx, id: string, error: FailureInfo | null, fence?: SQL) {
  const { envs } = ctx.t;
  await ctx.db
    .update(envs)
    .set({
      errorCode: error?.code ?? null,
      errorMsg: error?.msg ?? null,
      updatedAt: ctx.clock.now(),
    })
    .where(and(eq(envs.id, id), fence));
}
