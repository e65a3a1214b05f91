import type { AgentClient, MigrationExport } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { agentVmOrNull, type MigrationRun } from './migration-agents.js';
import { type ExportMemo, readMemo, updateMemo } from './migration-memo.js';

export type Copy = 'full' | 'delta';

/**
 * The export a start request made on the source, when the saga never recorded its answer (the
 * controller died after sending, or the answer was lost): the operation that request started,
 * found by the request id recorded before sending, then the export that operation runs. Null
 * when the request never reached the source. The export may have ended since: it is found all
 * the same, so its snapshot is not left behind.
 */
export async function exportOfRequest(
  source: AgentClient,
  mine: ExportMemo,
  vmId: string,
): Promise<MigrationExport | null> {
  let operationId: string | null | undefined;
  if (mine.requestId) {
    const started = await source.listOperations({ query: { request_id: mine.requestId } });
    operationId = started.items.find((op) => op.kind === 'export')?.id;
  } else {
    // A memo written before request ids were recorded: the export running on the VM is ours
    // (the saga holds the VM), one already ended cannot be told apart.
    operationId = (await agentVmOrNull(source, vmId))?.operation_id;
  }
  if (!operationId) return null;
  const found = await source.exportsOfOperation({ query: { operation_id: operationId } });
  return found.items[0] ?? null;
}

/**
 * The id of this copy's export on the source: the recorded one, or the one a request sent
 * before (its id then recorded, so the undo drops it too); undefined when none was made.
 */
export async function knownExport(
  ctx: Ctx,
  run: MigrationRun,
  source: AgentClient,
  copy: Copy,
): Promise<string | undefined> {
  const mine: ExportMemo = (await readMemo(ctx, run.id))[copy] ?? {};
  if (mine.id || !mine.sending) return mine.id;
  const found = await exportOfRequest(source, mine, run.input.vmId);
  if (!found) return undefined;
  ctx.log.info(
    { saga_id: run.id, export_id: found.id, agent_operation: found.operation_id },
    'found the export a request sent before',
  );
  await updateMemo(ctx, run.id, {
    [copy]: { ...mine, sending: false, id: found.id, operationId: found.operation_id },
  });
  return found.id;
}
