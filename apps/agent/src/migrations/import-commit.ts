import type { FailureInfo } from '@apiary/protocol';
import type { Db } from '../db/open.js';
import { CREATE_STEPS } from '../vms/create-steps.js';
import { runJournaledSaga, withLeftovers } from '../vms/journaled-saga.js';
import type { OperationRow } from '../vms/operation-store.js';
import type { SagaStep } from '../vms/saga-step.js';
import type { VmContext } from '../vms/vm-context.js';
import { machineOf } from '../vms/vm-machine.js';
import { setVmState, type VmRow } from '../vms/vm-store.js';
import type { CommitParams } from './import-service.js';
import { updateImport } from './import-store.js';

/** A CD-ROM the VM had on its old host must be here before its zone names it. */
const cdromImage: SagaStep = {
  name: 'cdrom-image',
  when: (ctx) => ctx.vm.cdrom !== null,
  async run(ctx) {
    await ctx.images.ensure(ctx.vm.cdrom!, 'iso' as never);
  },
  // Images are a shared cache, as in create.
  async undo() {},
};

const create = (name: string) => CREATE_STEPS.find((s) => s.name === name)!;

/** Boot and its egress rules only when the VM ran on its old host. */
function whenStarted(step: SagaStep, start: boolean): SagaStep {
  return { ...step, when: (ctx) => start && (step.when?.(ctx) ?? true) };
}

/**
 * The commit of an import: the create saga from its network on (the disks are the volumes
 * received), the VNIC with the MAC the VM had, the same cloud-init user-data. Each step has the
 * create step's undo, which leaves the received volumes alone: a commit undone is an import
 * still open, to commit again or abort.
 */
export function commitSteps(start: boolean): SagaStep[] {
  return [
    cdromImage,
    create('vnic'),
    create('cloud-init'),
    create('zonecfg'),
    create('install'),
    create('firewall-file'),
    whenStarted(create('boot'), start),
    whenStarted(create('egress'), start),
    create('ports'),
  ];
}

export interface CommitDeps {
  db: Db;
  finish(op: OperationRow, error: FailureInfo | null): void;
}

/**
 * Run (or, after a restart, go on with) an import's commit operation, journaled like every VM
 * saga: forward with done steps skipped, or the rest of an undo that was under way.
 */
export async function runCommit(
  deps: CommitDeps,
  op: OperationRow,
  vm: VmRow,
  ctx: VmContext,
): Promise<void> {
  const { db } = deps;
  const params = JSON.parse(op.params ?? '{}') as CommitParams;
  const steps = commitSteps(params.start);
  const outcome = await runJournaledSaga({
    db,
    op,
    steps,
    ctx,
    restartedMsg: 'the agent restarted while undoing a failed import',
  });
  if (outcome.result !== 'succeeded') {
    const left = outcome.result === 'undone' ? outcome.left : [];
    const error = withLeftovers(outcome.failure, left);
    // Back to an open import: its volumes are still here, its reservations still held.
    setVmState(db, vm.id, 'importing', error, {
      operationId: null,
      needsCleanup: left.length > 0,
    });
    updateImport(db, params.import_id, { state: 'open', operationId: null });
    deps.finish(op, error);
    return;
  }
  db.transaction((tx) => {
    setVmState(tx as unknown as Db, vm.id, params.start ? 'running' : 'stopped', null, {
      operationId: null,
      ...(params.start ? { booted: JSON.stringify(machineOf(vm)) } : {}),
    });
    updateImport(tx as unknown as Db, params.import_id, { state: 'committed', tokenHash: null });
  });
  deps.finish(op, null);
}
