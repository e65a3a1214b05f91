import type { ExportVolume, FailureInfo } from '@apiary/protocol';
import type { Logger } from '@apiary/server-kit';
import type { Db } from '../db/open.js';
import type { HostExec } from '../host/exec.js';
import { destroySnapshot, snapshotAtomically } from '../host/zfs-snapshots.js';
import { snapshotGuid } from '../host/zfs-transfer.js';
import { runJournaledSaga, withLeftovers } from '../vms/journaled-saga.js';
import type { OperationRow } from '../vms/operation-store.js';
import type { SagaStep } from '../vms/saga-step.js';
import type { VmContext } from '../vms/vm-context.js';
import { updateVm, type VmRow } from '../vms/vm-store.js';
import { type ExportRow, exportOfOperation, updateExport, volumesOf } from './export-store.js';
import { type TransferFetch, transferTarget } from './transfer-client.js';
import { sendVolume } from './volume-send.js';

type Volume = ExportVolume;

export interface ExportRunDeps {
  db: Db;
  exec: HostExec;
  log: Logger;
  /** Progress of the exports running now, by export id (GET reads it). */
  live: Map<string, Volume[]>;
  makeFetch?: TransferFetch;
  stallMs: number;
  maxResumes: number;
}

function datasets(ctx: VmContext, row: ExportRow): string[] {
  return volumesOf(row).map((v) => `${ctx.layout.vmDataset(ctx.vm.id)}/${v.name}`);
}

/** The export's snapshot of every volume at once (a VM's disks at one instant). */
function snapshotStep(row: ExportRow): SagaStep {
  return {
    name: 'snapshot',
    async run(ctx) {
      await snapshotAtomically(
        ctx.exec,
        datasets(ctx, row).map((d) => `${d}@${row.snapshot}`),
      );
    },
    async undo(ctx) {
      for (const d of datasets(ctx, row)) await destroySnapshot(ctx.exec, `${d}@${row.snapshot}`);
    },
  };
}

/**
 * Each volume to the target, in turn. Nothing to undo here: what the target received is the
 * target's (the controller drops it with the import), and the snapshot goes with its own undo.
 */
function sendStep(row: ExportRow, deps: ExportRunDeps): SagaStep {
  return {
    name: 'send',
    async run(ctx) {
      if (!row.transferToken) throw new Error('the export has no transfer token any more');
      const target = transferTarget(
        row.targetUrl,
        row.transferToken,
        row.targetFingerprint,
        deps.makeFetch,
      );
      const volumes = volumesOf(row);
      deps.live.set(row.id, volumes);
      let saved = 0;
      const persist = (force = false) => {
        if (!force && Date.now() - saved < 1000) return;
        saved = Date.now();
        updateExport(deps.db, row.id, { volumes: JSON.stringify(volumes) });
      };
      try {
        for (const [i, v] of volumes.entries()) {
          const dataset = datasets(ctx, row)[i]!;
          const guid = await snapshotGuid(ctx.exec, `${dataset}@${row.snapshot}`);
          if (!guid) throw new Error(`${dataset}@${row.snapshot} is gone`);
          volumes[i] = { ...v, guid };
          await sendVolume({
            exec: ctx.exec,
            log: ctx.log,
            target,
            name: v.name,
            dataset,
            snapshot: row.snapshot,
            from: row.incrementalFrom,
            guid,
            stallMs: deps.stallMs,
            maxResumes: deps.maxResumes,
            progress: (p) => {
              volumes[i] = { ...volumes[i]!, ...p };
              persist();
            },
          });
          persist(true);
        }
      } finally {
        persist(true);
        deps.live.delete(row.id);
        await target.close();
      }
    },
    async undo() {},
  };
}

/**
 * The export operation: snapshot, then send; journaled like every VM saga, so an agent killed
 * mid-stream goes on after its restart (the target's resume token saying from where). A
 * failure undoes the snapshot; the VM itself is never touched. The token is forgotten when the
 * export ends either way.
 */
export async function runExport(
  deps: ExportRunDeps,
  op: OperationRow,
  vm: VmRow,
  ctx: VmContext,
  finish: (op: OperationRow, error: FailureInfo | null) => void,
): Promise<void> {
  const { db } = deps;
  const row = exportOfOperation(db, op.id);
  if (!row) {
    finish(op, { code: 'not_found', msg: 'the export record is gone' });
    return;
  }
  const steps = [snapshotStep(row), sendStep(row, deps)];
  const end = async (error: FailureInfo | null) => {
    updateExport(db, row.id, {
      transferToken: null,
      errorCode: error?.code ?? null,
      errorMsg: error?.msg ?? null,
    });
    // An export never changes the VM: it is as it was, with no operation on it.
    updateVm(db, vm.id, { operationId: null });
    finish(op, error);
  };
  const outcome = await runJournaledSaga({
    db,
    op,
    steps,
    ctx,
    restartedMsg: 'the agent restarted while undoing a failed export',
  });
  if (outcome.result !== 'succeeded') {
    await end(
      outcome.result === 'undone' ? withLeftovers(outcome.failure, outcome.left) : outcome.failure,
    );
    return;
  }
  await end(null);
}
