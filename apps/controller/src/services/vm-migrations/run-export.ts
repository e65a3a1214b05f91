import { type AgentClient, type MigrationExport, sleep } from '@apiary/protocol';
import { newRequestId } from '@apiary/server-kit';
import type { Ctx } from '../../context.js';
import { Interrupted, VmOpError } from '../envs/vm-op-error.js';
import { inUserWords } from '../vm-changes/agent-words.js';
import { type Copy, knownExport } from './export-lookup.js';
import {
  agentCall,
  type MigrationRun,
  sourceOf,
  targetFingerprint,
  targetOf,
} from './migration-agents.js';
import { readMemo, updateMemo } from './migration-memo.js';
import { ProgressWriter } from './migration-progress.js';
import { isRestarting } from './until-reachable.js';

/** The snapshot each copy takes: named for the saga, so no two migrations share one. */
export function copySnapshot(sagaId: string, copy: Copy): string {
  return `${sagaId}-${copy}`;
}

/**
 * One copy of the VM's volumes to the target: `full` while the VM runs, then `delta` (only
 * what changed since `full`) once it stopped. Safe to resume: a recorded export is followed;
 * after a request whose answer was lost, the source names the export that request started
 * (by the request id recorded before sending), running or ended. The transfer
 * token is minted again (the same import, opened again with the same spec) only when a new
 * export is asked for, so a running export's token stays good.
 */
export async function runExport(
  ctx: Ctx,
  run: MigrationRun,
  copy: Copy,
  onAccepted?: () => void,
): Promise<void> {
  const memo = await readMemo(ctx, run.id);
  const source = await sourceOf(ctx, run);
  const progress = new ProgressWriter(ctx, run.id);
  const base = copy === 'delta' ? memo.full : undefined;
  let id = await knownExport(ctx, run, source, copy);
  if (!id) {
    if (!memo.spec || !memo.importId) throw new Error('the import was not opened');
    // Recorded before sending: a resumed saga (or the undo) asks the source what it started.
    const requestId = newRequestId();
    await updateMemo(ctx, run.id, { [copy]: { sending: true, requestId } });
    const target = await targetOf(ctx, run);
    const opened = await agentCall(ctx, run, () =>
      target.openImport({ body: { spec: memo.spec! } }),
    );
    const fingerprint = await targetFingerprint(ctx, run);
    const accepted = await agentCall(ctx, run, () =>
      source.startExport(
        {
          body: {
            vm_id: run.input.vmId,
            target_url: opened.upload_url,
            transfer_token: opened.transfer_token,
            ...(fingerprint ? { target_fingerprint: fingerprint } : {}),
            snapshot: copySnapshot(run.id, copy),
            ...(copy === 'delta' ? { incremental_from: copySnapshot(run.id, 'full') } : {}),
          },
        },
        { requestId },
      ),
    );
    id = accepted.export.id;
    await updateMemo(ctx, run.id, {
      [copy]: { requestId, id, operationId: accepted.operation.id },
    });
  }
  onAccepted?.();
  const done = await followExport(
    ctx,
    run,
    () => sourceOf(ctx, run),
    id,
    async (e) =>
      progress.write({
        bytes_sent: (base?.bytesSent ?? 0) + e.bytes_sent,
        bytes_total: (base?.bytesTotal ?? 0) + e.bytes_total,
      }),
  );
  if (done.state !== 'succeeded') {
    throw new VmOpError(
      done.error?.code ?? 'migrate_failed',
      await inUserWords(
        ctx,
        run.input.orgId,
        done.error?.msg ?? `the ${copy} copy of the VM's disks failed`,
      ),
    );
  }
  await progress.write(
    {
      bytes_sent: (base?.bytesSent ?? 0) + done.bytes_sent,
      bytes_total: (base?.bytesTotal ?? 0) + done.bytes_total,
    },
    true,
  );
  await updateMemo(ctx, run.id, {
    [copy]: {
      id,
      operationId: done.operation_id,
      bytesSent: done.bytes_sent,
      bytesTotal: done.bytes_total,
    },
  });
}

/**
 * Polls the source's export until it ends, telling `onProgress` what it sent. It fails only
 * when nothing moved for the operation timeout: a large volume may take long, a stuck one not.
 * The source restarting (killed mid-stream: its journaled export goes on) is waited out, with
 * a client made afresh for each poll, as the restarted agent registers with a new key.
 */
async function followExport(
  ctx: Ctx,
  run: MigrationRun,
  source: () => Promise<AgentClient>,
  id: string,
  onProgress: (e: MigrationExport) => Promise<void>,
): Promise<MigrationExport> {
  let lastSent = -1;
  let movedAt = ctx.clock.now();
  /** Why the last poll got no answer (the source away or refusing its old key). */
  let away: unknown = null;
  for (;;) {
    if (run.signal.aborted) throw new Interrupted(`export ${id} left running`);
    let exp: MigrationExport | null = null;
    try {
      exp = await (await source()).getExport({ params: { id } });
      away = null;
    } catch (error) {
      if (!isRestarting(error)) throw error;
      away = error;
    }
    if (exp) {
      if (exp.state === 'succeeded' || exp.state === 'failed') return exp;
      if (exp.bytes_sent !== lastSent) {
        lastSent = exp.bytes_sent;
        movedAt = ctx.clock.now();
      }
      await onProgress(exp);
    }
    if (ctx.clock.now() - movedAt > ctx.config.operationTimeoutMs) {
      if (away) throw away;
      throw new VmOpError('timeout', `export ${id} sent nothing for too long`);
    }
    await sleep(300, run.signal).catch(() => {});
  }
}
