import type { EnvState, FailureInfo } from '@apiary/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { envs } from '../../db/schema.js';

/**
 * Moves an environment from one of `from` to `to` with a conditional write: of two requests
 * racing (stop and delete, say), exactly one wins.
 */
export function transitionEnv(
  ctx: Ctx,
  id: string,
  from: EnvState[],
  to: EnvState,
  error?: FailureInfo | null,
): boolean {
  const patch: Partial<typeof envs.$inferInsert> = { state: to, updatedAt: ctx.clock.now() };
  if (error !== undefined) {
    patch.errorCode = error?.code ?? null;
    patch.errorMsg = error?.msg ?? null;
  }
  const row = ctx.db
    .update(envs)
    .set(patch)
    .where(and(eq(envs.id, id), inArray(envs.state, from)))
    .returning({ orgId: envs.orgId, name: envs.name })
    .get();
  if (!row) return false;
  ctx.events.publish({
    type: 'env.state',
    orgId: row.orgId,
    data: { id: row.name, org_id: row.orgId, state: to },
  });
  return true;
}

export function setEnvError(ctx: Ctx, id: string, error: FailureInfo | null) {
  ctx.db
    .update(envs)
    .set({
      errorCode: error?.code ?? null,
      errorMsg: error?.msg ?? null,
      updatedAt: ctx.clock.now(),
    })
    .where(eq(envs.id, id))
    .run();
}
