import { ENV_ACTIONS } from '@apiary/protocol';
import { newRequestId, withLogBindings } from '@apiary/server-kit';
import { and, eq, inArray, lte } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { pruneAudit, recordAudit, systemActor } from '../audit/audit-log.js';
import type { Lease } from '../leases/lease.js';
import {
  startCreateSaga,
  startDeleteSaga,
  startLeftoverCleanup,
  startPowerSaga,
} from './env-sagas.js';
import { transitionEnv } from './env-state.js';

/**
 * The reaper: destroys expired environments, retries deletes that failed, resumes any saga a
 * restart interrupted, and deletes audit entries past their retention. It never drops the record of a VM that may still exist: a VM leaves
 * the books only when its agent confirms it is gone.
 */
export async function reap(ctx: Ctx, lease?: Lease): Promise<void> {
  // One request id per pass: the agent calls of the sagas it starts carry it.
  await withLogBindings({ request_id: newRequestId() }, () => reapPass(ctx, lease));
}

/** `lease`: the reaper's, when it runs as one controller's singleton pass (writes are fenced). */
async function reapPass(ctx: Ctx, lease: Lease | undefined): Promise<void> {
  const { envs, vms } = ctx.t;
  const now = ctx.clock.now();
  const act = (action: string, envId: string, started: boolean) => {
    if (!started) return;
    ctx.metrics.reaperActions.inc({ action });
    ctx.log.info({ action, env_id: envId }, 'reaper');
  };

  const expired = await ctx.db
    .select({ id: envs.id, name: envs.name, orgId: envs.orgId })
    .from(envs)
    .where(and(inArray(envs.state, [...ENV_ACTIONS.delete.from]), lte(envs.expiresAt, now)));
  for (const { id, name, orgId } of expired) {
    if (ctx.work.isBusy(id)) continue;
    const from = [...ENV_ACTIONS.delete.from];
    if (await transitionEnv(ctx, id, from, 'deleting', undefined, lease?.fence())) {
      // Named as requests name environments (by name within the organization).
      await recordAudit(ctx, {
        orgId,
        actor: systemActor('reaper'),
        action: 'reaper.expire',
        resource: { kind: 'env', id: name },
        outcome: 'accepted',
      });
      act('expire', id, await startDeleteSaga(ctx, id));
    }
  }

  const unsettled = await ctx.db
    .select({ id: envs.id, state: envs.state })
    .from(envs)
    .where(inArray(envs.state, ['creating', 'deleting', 'stopping', 'starting']));
  for (const { id, state } of unsettled) {
    if (ctx.work.isBusy(id)) continue;
    if (state === 'creating') act('resume_create', id, await startCreateSaga(ctx, id));
    if (state === 'deleting') act('retry_delete', id, await startDeleteSaga(ctx, id));
    if (state === 'stopping') act('resume_stop', id, await startPowerSaga(ctx, id, 'stop'));
    if (state === 'starting') act('resume_start', id, await startPowerSaga(ctx, id, 'start'));
  }

  // Rollback leftovers: VMs of settled environments that could not be deleted yet.
  const leftovers = await ctx.db
    .selectDistinct({ envId: vms.envId })
    .from(vms)
    .innerJoin(envs, eq(envs.id, vms.envId))
    .where(
      and(
        eq(vms.state, 'deleting'),
        inArray(envs.state, ['failed', 'degraded', 'active', 'stopped']),
      ),
    );
  for (const { envId } of leftovers) {
    if (!ctx.work.isBusy(envId))
      act('retry_vm_delete', envId, await startLeftoverCleanup(ctx, envId));
  }

  // The audit trail expires too: entries past the retention go (one indexed delete a pass).
  const pruned = await pruneAudit(ctx, ctx.config.auditRetentionDays);
  if (pruned > 0) ctx.log.info({ pruned }, 'audit entries past their retention deleted');
}
