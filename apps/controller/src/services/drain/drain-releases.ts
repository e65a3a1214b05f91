import { inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DrainMoveRecord } from '../../db/drain-moves.js';
import type { MigrationMemo } from '../vm-migrations/migration-memo.js';
import { migrationWarning } from '../vm-migrations/release-retry.js';

/** A move whose VM runs on its new host while the drained host still holds its copy. */
export interface PendingRelease {
  /** Why the release failed so far (the operation's warning); null before any failure. */
  warning: string | null;
}

/**
 * The moves of a `migrate` drain that switched their VM to the new host but whose saga is still
 * running: the drained host has not removed its copy yet (the saga retries the release until it
 * succeeds), so the drain is not finished. Keyed by the VM's internal id.
 */
export async function pendingReleases(
  ctx: Ctx,
  moves: Record<string, DrainMoveRecord>,
): Promise<Map<string, PendingRelease>> {
  const out = new Map<string, PendingRelease>();
  const moving = Object.entries(moves).filter(([, m]) => m.state === 'moving' && m.sagaId);
  if (moving.length === 0) return out;
  const { sagas } = ctx.t;
  const rows = await ctx.db
    .select({ id: sagas.id, state: sagas.state, memo: sagas.memo })
    .from(sagas)
    .where(
      inArray(
        sagas.id,
        moving.map(([, m]) => m.sagaId as string),
      ),
    );
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const [vmId, m] of moving) {
    const saga = byId.get(m.sagaId as string);
    const memo = saga?.memo as MigrationMemo | null | undefined;
    if (saga?.state !== 'running' || !memo?.switched) continue;
    out.set(vmId, { warning: migrationWarning(memo) });
  }
  return out;
}
