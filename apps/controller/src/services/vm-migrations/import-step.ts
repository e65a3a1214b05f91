import type { ApiError } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { stillChangeable } from '../vm-changes/agent-step.js';
import { agentCall, type MigrationRun, sourceOf, targetOf } from './migration-agents.js';
import { readMemo, updateMemo } from './migration-memo.js';
import { isRestarting, untilReachable } from './until-reachable.js';

/**
 * The VM's spec from the source, then the import opened on the target with it (room reserved
 * there by the target agent at once). Opening again with the same spec finds the same import,
 * so a resumed step that lost the answer simply asks again.
 */
export async function openImport(ctx: Ctx, run: MigrationRun): Promise<void> {
  await stillChangeable(ctx, run.input);
  let memo = await readMemo(ctx, run.id);
  if (!memo.spec) {
    const source = await sourceOf(ctx, run);
    const spec = await agentCall(ctx, run, () =>
      source.migrationSpec({ params: { id: run.input.vmId } }),
    );
    memo = await updateMemo(ctx, run.id, { spec });
  }
  if (memo.importId) return;
  const target = await targetOf(ctx, run);
  const spec = memo.spec!;
  const opened = await agentCall(ctx, run, () => target.openImport({ body: { spec } }));
  await updateMemo(ctx, run.id, { importId: opened.import_id, uploadUrl: opened.upload_url });
}

/**
 * The undo: the target drops the import and all it received and reserved. An import whose
 * answer was lost is found by opening it again (same spec) and dropped the same way. Nothing
 * is done once the VM was switched to the target. A target out of reach (restarting) is waited
 * for: its import would otherwise keep the volumes and the reservation until it expires.
 */
export async function abortImport(ctx: Ctx, run: MigrationRun): Promise<void> {
  const memo = await readMemo(ctx, run.id);
  if (memo.switched || !memo.spec) return;
  const target = () => targetOf(ctx, run);
  let id = memo.importId;
  if (!id) {
    try {
      const spec = memo.spec;
      id = (await untilReachable(ctx, run, target, (t) => t.openImport({ body: { spec } })))
        .import_id;
    } catch (error) {
      // Refused: no import of ours can be there (the VM is, or the host is full). A target
      // still away at the deadline is not a refusal: the undo failed.
      if (isRestarting(error)) throw error;
      return;
    }
  }
  try {
    const known = id;
    const imp = await untilReachable(ctx, run, target, (t) =>
      t.getImport({ params: { id: known } }),
    );
    if (imp.state === 'committed' || imp.state === 'aborted') return;
    await untilReachable(ctx, run, target, (t) => t.abortImport({ params: { id: known } }));
  } catch (error) {
    if ((error as ApiError).code === 'not_found') return;
    throw error;
  }
}
