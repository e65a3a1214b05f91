import { ApiError, type Operation } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import {
  agentCall,
  agentVmOrNull,
  followOperation,
  type MigrationRun,
  targetOf,
} from './migration-agents.js';
import { readMemo, updateMemo } from './migration-memo.js';

/**
 * The target makes the VM from what it received (same id, MAC, cloud-init, forwards) and starts
 * it when it ran on the source. Resumed: the recorded operation is followed; after a request
 * whose answer was lost, the import names the commit's operation if the target took it.
 */
export async function commitImport(ctx: Ctx, run: MigrationRun): Promise<void> {
  let memo = await readMemo(ctx, run.id);
  const target = await targetOf(ctx, run);
  const importId = memo.importId;
  if (!importId) throw new Error('the import was not opened');
  let op: Operation | null = null;
  if (memo.commitOp) {
    op = await target.getOperation({ params: { id: memo.commitOp } });
  } else if (memo.commitSending) {
    const imp = await target.getImport({ params: { id: importId } });
    if (imp.operation_id) op = await target.getOperation({ params: { id: imp.operation_id } });
  }
  if (!op) {
    memo = await updateMemo(ctx, run.id, { commitSending: true });
    const answer = await agentCall(ctx, run, () =>
      target.commitImport({ params: { id: importId }, body: { start: memo.wasRunning === true } }),
    );
    op = answer.operation;
    memo = await updateMemo(ctx, run.id, { commitOp: op.id });
  }
  await followOperation(ctx, run, target, op);
  if (memo.downtimeMs === undefined) {
    const stoppedAt = memo.stoppedAt ?? ctx.clock.now();
    await updateMemo(ctx, run.id, {
      downtimeMs: memo.wasRunning ? Math.max(0, ctx.clock.now() - stoppedAt) : 0,
    });
  }
}

/**
 * The undo: a failed commit was undone by the target (the import stays open for the import's
 * undo to drop). A commit that succeeded before a later failure (and before the switch) made
 * the VM on the target: it is deleted there, so the source's copy stays the only one.
 */
export async function undoCommit(ctx: Ctx, run: MigrationRun): Promise<void> {
  const memo = await readMemo(ctx, run.id);
  if (memo.switched) return;
  const target = await targetOf(ctx, run);
  const vm = await agentVmOrNull(target, run.input.vmId);
  if (!vm || vm.state === 'importing') return;
  if (vm.operation_id) {
    const running = await target.getOperation({ params: { id: vm.operation_id } });
    await followOperation(ctx, run, target, running).catch(() => {});
  }
  try {
    const { operation } = await target.deleteVm({ params: { id: run.input.vmId } });
    await followOperation(ctx, run, target, operation);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') return;
    throw error;
  }
}
