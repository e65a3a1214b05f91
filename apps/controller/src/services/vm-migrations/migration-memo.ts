import type { VmMigrationSpec } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DbOrTx } from '../../db/database.js';

/**
 * One export of the VM's volumes: its id once the source took it; before that `sending` and
 * the request id the start carries (the source keeps it on the operation it starts).
 */
export interface ExportMemo {
  sending?: boolean;
  requestId?: string;
  id?: string;
  operationId?: string;
  /** Bytes it sent and its estimate, once it ended (the progress of later copies adds to it). */
  bytesSent?: number;
  bytesTotal?: number;
}

/**
 * What a migration's steps learned from the agents, on the saga's row (`sagas.memo`), so a
 * controller resuming the saga follows what was started instead of starting it again. The
 * transfer token is never kept: it is minted again (same import) when an export needs one.
 */
export interface MigrationMemo {
  spec?: VmMigrationSpec;
  importId?: string;
  uploadUrl?: string;
  full?: ExportMemo;
  delta?: ExportMemo;
  /** Whether the VM ran when the migration stopped it, and when it stopped (ms). */
  wasRunning?: boolean;
  stoppedAt?: number;
  /** The commit's operation on the target; `commitSending` before its answer. */
  commitSending?: boolean;
  commitOp?: string;
  /** Stop to start, recorded when the commit succeeded. */
  downtimeMs?: number;
  /** The VM row points at the target: no undo takes it back to the source any more. */
  switched?: boolean;
  releaseOp?: string;
  /** Failed releases after the switch: how many, the last reason, when it is tried again (ms). */
  releaseRetry?: { attempts: number; error: string; retryAt: number };
}

export async function readMemo(ctx: Ctx, sagaId: string, tx: DbOrTx = ctx.db) {
  const { sagas } = ctx.t;
  const row = (await tx.select({ memo: sagas.memo }).from(sagas).where(eq(sagas.id, sagaId)))[0];
  return (row?.memo ?? {}) as MigrationMemo;
}

/** Merges `patch` into the memo (only the saga's runner writes it) and returns the result. */
export async function updateMemo(
  ctx: Ctx,
  sagaId: string,
  patch: Partial<MigrationMemo>,
  tx: DbOrTx = ctx.db,
): Promise<MigrationMemo> {
  const memo = { ...(await readMemo(ctx, sagaId, tx)), ...patch };
  await tx
    .update(ctx.t.sagas)
    .set({ memo: memo as Record<string, unknown> })
    .where(eq(ctx.t.sagas.id, sagaId));
  return memo;
}
