import { ApiError } from '@apiary/protocol';
import { inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DrainMoveRecord } from '../../db/drain-moves.js';
import { startMigration } from '../vm-migrations/migrate-vm.js';
import type { DrainRow } from './drain-view.js';

type Moves = Record<string, DrainMoveRecord>;

/**
 * States a VM leaves by itself (a start, stop, create or delete in flight): a drain waits for
 * it to settle instead of counting its move failed; the drain's deadline bounds the wait (the
 * move is then cancelled like any that had not started).
 */
const SETTLING = ['pending', 'creating', 'starting', 'stopping', 'deleting'];

/**
 * Where each move of a `migrate` drain stands now: a `moving` VM whose migration ended is
 * `moved` or `failed` (with the operation's reason), read from its saga; a VM that left the
 * host by other means before its move started (deleted, moved by hand) is `moved`.
 */
export async function currentMoves(ctx: Ctx, d: DrainRow): Promise<Moves> {
  const moves: Moves = { ...(d.moves ?? {}) };
  const { sagas, vms } = ctx.t;
  const sagaIds = Object.values(moves).flatMap((m) => (m.sagaId ? [m.sagaId] : []));
  const sagaRows =
    sagaIds.length > 0 ? await ctx.db.select().from(sagas).where(inArray(sagas.id, sagaIds)) : [];
  const byId = new Map(sagaRows.map((s) => [s.id, s]));
  const vmIds = Object.keys(moves);
  const vmRows =
    vmIds.length > 0
      ? await ctx.db
          .select({ id: vms.id, hostId: vms.hostId, state: vms.state })
          .from(vms)
          .where(inArray(vms.id, vmIds))
      : [];
  const vmById = new Map(vmRows.map((v) => [v.id, v]));
  for (const [id, m] of Object.entries(moves)) {
    const saga = m.sagaId ? byId.get(m.sagaId) : undefined;
    if (m.state === 'moving' && saga?.state === 'succeeded') moves[id] = { ...m, state: 'moved' };
    if (m.state === 'moving' && saga?.state === 'failed') {
      moves[id] = { ...m, state: 'failed', error: saga.errorMsg ?? 'the migration failed' };
    }
    const vm = vmById.get(id);
    const gone = !vm || vm.state === 'deleted' || vm.hostId !== d.hostId;
    // Off the host by other means (deleted, moved by hand); a move of ours ends with its saga.
    if (gone && moves[id]?.state === 'waiting') moves[id] = { ...m, state: 'moved' };
  }
  return moves;
}

/** Why a move could not start, when it will not start on a later pass either (else null). */
function finalRefusal(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.retryable) return null;
  return error.message;
}

/**
 * One pass of a `migrate` drain: moves that ended are recorded, and new ones start until
 * `max_parallel` run. A VM no host can take is `failed` with the reason (the drain does not
 * wait for it); a VM busy with another operation, or mid-start/stop, waits for a later pass
 * (bounded by the drain's deadline). Returns the moves
 * to record (the caller writes them under the drain pass's lease).
 */
export async function advanceMoves(ctx: Ctx, d: DrainRow): Promise<Moves> {
  const moves = await currentMoves(ctx, d);
  const { vms } = ctx.t;
  let moving = Object.values(moves).filter((m) => m.state === 'moving').length;
  const limit = d.maxParallel ?? 1;
  for (const [id, m] of Object.entries(moves)) {
    if (moving >= limit) break;
    if (m.state !== 'waiting') continue;
    const vm = (
      await ctx.db
        .select()
        .from(vms)
        .where(inArray(vms.id, [id]))
    )[0];
    if (!vm) continue;
    if (SETTLING.includes(vm.state)) {
      ctx.log.debug(
        { drain_id: d.id, vm_id: id, state: vm.state },
        'drain waits for a VM to settle',
      );
      continue;
    }
    try {
      const sagaId = await startMigration(ctx, vm);
      moves[id] = { state: 'moving', sagaId };
      moving++;
      ctx.log.info({ drain_id: d.id, vm_id: id, saga_id: sagaId }, 'drain moving a VM');
    } catch (error) {
      const why = finalRefusal(error);
      if (why === null) {
        ctx.log.debug({ vm_id: id, error: String(error) }, 'drain retries the move later');
        continue;
      }
      ctx.log.warn({ drain_id: d.id, vm_id: id, reason: why }, 'drain cannot move a VM');
      moves[id] = { state: 'failed', error: why };
    }
  }
  return moves;
}

/** Moves not started yet are cancelled (an undrain, or a deadline that falls back to stop). */
export function cancelWaiting(moves: Moves, why: string): Moves {
  const out: Moves = {};
  for (const [id, m] of Object.entries(moves)) {
    out[id] = m.state === 'waiting' ? { state: 'cancelled', error: why } : m;
  }
  return out;
}

/** No move waits or runs any more. */
export function movesSettled(moves: Moves): boolean {
  return Object.values(moves).every((m) => m.state !== 'waiting' && m.state !== 'moving');
}
