import type { FailureInfo } from '@apiary/protocol';
import type { Db } from '../db/open.js';
import { getZone } from '../host/zoneadm.js';
import type {
  ChangeKind,
  DeleteSnapshotParams,
  MachineChangeParams,
  RollbackParams,
  SnapshotParams,
} from './change-params.js';
import {
  type ChangePlan,
  deleteSnapshotPlan,
  machineChangePlan,
  measureSnapshots,
  type PlanDeps,
  rollbackPlan,
  snapshotPlan,
} from './change-plans.js';
import { runJournaledSaga, withLeftovers } from './journaled-saga.js';
import type { OperationRow } from './operation-store.js';
import type { SagaStep } from './saga-step.js';
import type { VmContext } from './vm-context.js';
import { setVmState, type VmRow } from './vm-store.js';
import { stateFromZone } from './vm-view.js';

export interface ChangeRunDeps extends PlanDeps {
  db: Db;
  finish(op: OperationRow, error: FailureInfo | null): void;
}

export function planFor(
  kind: ChangeKind,
  ctx: VmContext,
  params: unknown,
  deps: PlanDeps,
): ChangePlan {
  switch (kind) {
    case 'snapshot':
      return snapshotPlan(ctx, params as SnapshotParams);
    case 'rollback':
      return rollbackPlan(ctx, params as RollbackParams, deps);
    case 'delete_snapshot':
      return deleteSnapshotPlan(ctx, params as DeleteSnapshotParams);
    default:
      return machineChangePlan(kind, ctx, params as MachineChangeParams);
  }
}

/** Steps past the point of no return are tried again on any failure, not only transient ones. */
function persistent(step: SagaStep): SagaStep {
  return {
    ...step,
    async run(ctx) {
      for (let i = 0; ; i++) {
        try {
          return await step.run(ctx);
        } catch (error) {
          if (i >= 2) throw error;
          await new Promise((r) => setTimeout(r, 200 * 2 ** i));
        }
      }
    },
  };
}

/**
 * Run a change operation: forward through its plan with each step journaled, or, after a
 * failure before the point of no return, the undo of every step through the failed one and
 * the record given back. An agent killed part-way picks up where the journal says: the rest of
 * the steps (done ones skipped), or the rest of the undo.
 */
export async function runChange(
  deps: ChangeRunDeps,
  op: OperationRow,
  vm: VmRow,
  ctx: VmContext,
): Promise<void> {
  const { db } = deps;
  const kind = op.kind as ChangeKind;
  const plan = planFor(kind, ctx, JSON.parse(op.params ?? '{}'), deps);
  const noReturnAt = plan.noReturn ? plan.steps.findIndex((s) => s.name === plan.noReturn) : -1;
  const steps = plan.steps.map((s, i) => (noReturnAt >= 0 && i >= noReturnAt ? persistent(s) : s));
  const fail = async (failure: FailureInfo) => {
    const zone = await getZone(ctx.exec, vm.id).catch(() => null);
    setVmState(db, vm.id, stateFromZone(zone?.state ?? null), failure, { operationId: null });
    deps.finish(op, failure);
  };

  const outcome = await runJournaledSaga({
    db,
    op,
    steps,
    ctx,
    restartedMsg: 'the agent restarted while undoing a failed change',
    undoable: (step) => noReturnAt < 0 || steps.findIndex((s) => s.name === step) < noReturnAt,
  });
  if (outcome.result === 'stuck') {
    // Part of it cannot be taken back: the change stands half made; repeating it finishes it.
    plan.halfDone?.(db);
    const { failure } = outcome;
    await fail({
      ...failure,
      msg: `incomplete, repeat it to finish: ${failure.msg}`.slice(0, 500),
    });
    return;
  }
  if (outcome.result === 'undone') {
    plan.undone(db);
    const { failure, left, resumed } = outcome;
    // A resumed undo reports the failure as recorded when it began.
    await fail(!resumed && left.length > 0 ? withLeftovers(failure, left) : failure);
    return;
  }
  plan.succeeded(db);
  if (kind === 'snapshot' || kind === 'rollback' || kind === 'delete_snapshot') {
    await measureSnapshots(ctx.exec, ctx.layout, db, vm.id).catch((error) =>
      ctx.log.warn({ error }, 'snapshot sizes could not be read'),
    );
  }
  const zone = await getZone(ctx.exec, vm.id).catch(() => null);
  const state = plan.finalState ?? stateFromZone(zone?.state ?? null);
  setVmState(db, vm.id, state, null, { operationId: null });
  deps.finish(op, null);
}
