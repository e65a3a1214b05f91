import type { Drain } from '@apiary/protocol';
import { inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DrainMoveRecord } from '../../db/drain-moves.js';
import type { drains } from '../../db/pg-schema.js';
import { iso, isoOrNull } from '../../lib/clock.js';
import { canSeeOrg, type Principal } from '../auth/principal.js';
import { envNameOfVm } from '../envs/env-names.js';
import { toVmView } from '../envs/env-view.js';
import { currentMoves } from './drain-moves.js';
import { pendingReleases } from './drain-releases.js';

export type DrainRow = typeof drains.$inferSelect;

/** When a VM no longer holds up a drain: gone for `wait`, stopped or gone for `stop`. */
export function vmIsDrained(mode: DrainRow['mode'], state: string | undefined): boolean {
  if (state === undefined || state === 'deleted') return true;
  return mode === 'stop' && state === 'stopped';
}

/**
 * When a VM no longer holds up a `migrate` drain: off the host (moved, deleted), or stopped
 * there once its move was cancelled by the deadline's fall-back to `stop`.
 */
export function vmIsMovedOff(
  hostId: string,
  move: DrainMoveRecord | undefined,
  vm: { hostId: string | null; state: string } | undefined,
): boolean {
  // A move still running holds the drain up until it ended (released on the old host).
  if (move?.state === 'moving') return false;
  if (!vm || vm.state === 'deleted' || vm.hostId !== hostId) return true;
  return move?.state === 'cancelled' && vm.state === 'stopped';
}

export function vmDrainFailed(state: string | undefined, errorCode: string | null): boolean {
  return state === 'failed' || (state !== undefined && state !== 'deleted' && errorCode !== null);
}

/**
 * Drain objects with honest progress, measured against the VMs that were on the host when the
 * drain started: `complete` only when every one of them is really stopped (stop) or gone (wait).
 * The VMs are listed by their names, and only those `viewer` may see: a host can change
 * organization after a drain, and its new organization must not read the old one's names
 * (the counts still cover every VM, so progress stays honest).
 */
export async function loadDrainViews(
  ctx: Ctx,
  rows: DrainRow[],
  viewer?: Principal,
): Promise<Map<string, Drain>> {
  const { hosts, vms } = ctx.t;
  const out = new Map<string, Drain>();
  if (rows.length === 0) return out;
  const vmIds = [...new Set(rows.flatMap((d) => d.vmIds))];
  const vmRows =
    vmIds.length > 0 ? await ctx.db.select().from(vms).where(inArray(vms.id, vmIds)) : [];
  const byId = new Map(vmRows.map((v) => [v.id, v]));
  const hostRows = await ctx.db
    .select({ id: hosts.id, liveness: hosts.liveness, publicAddr: hosts.publicAddr })
    .from(hosts)
    .where(inArray(hosts.id, [...new Set(rows.map((d) => d.hostId))]));
  const hostById = new Map(
    hostRows.map((h) => [
      h.id,
      { liveness: ctx.liveness.state(h.id) ?? h.liveness, publicAddr: h.publicAddr },
    ]),
  );
  for (const d of rows) {
    const moves = d.mode === 'migrate' ? await currentMoves(ctx, d) : null;
    const releasing = moves ? await pendingReleases(ctx, moves) : null;
    const items = d.vmIds.map((id) => {
      const v = byId.get(id);
      // Gone from the books (its environment was purged): nobody can say whose it was.
      if (!v) {
        const shown = viewer === undefined || canSeeOrg(viewer, null);
        const name = { id, env_id: envNameOfVm(id) };
        return { ...name, internalId: id, state: 'deleted' as const, error: null, shown };
      }
      const view = toVmView(v, hostById.get(d.hostId));
      const shown = viewer === undefined || canSeeOrg(viewer, v.orgId);
      return {
        id: view.id,
        env_id: view.env_id,
        state: view.state,
        error: view.error?.msg ?? null,
        internalId: id,
        raw: v,
        shown,
      };
    });
    const raw = (i: (typeof items)[number]) => ('raw' in i ? i.raw : undefined);
    const remaining = items.filter((i) =>
      moves
        ? !vmIsMovedOff(d.hostId, moves[i.internalId], raw(i))
        : !vmIsDrained(d.mode, raw(i)?.state),
    );
    const failed = remaining.filter((i) =>
      moves
        ? moves[i.internalId]?.state === 'failed'
        : 'raw' in i && vmDrainFailed(i.raw?.state, i.raw?.errorCode ?? null),
    );
    const count = (state: string) =>
      moves ? Object.values(moves).filter((m) => m.state === state).length : null;
    out.set(d.id, {
      host_id: d.hostId,
      mode: d.mode,
      state: d.state,
      deadline: isoOrNull(d.deadline),
      started_at: iso(d.startedAt),
      finished_at: isoOrNull(d.finishedAt),
      vms_total: items.length,
      vms_remaining: remaining.length,
      vms_failed: failed.length,
      vms_moved: count('moved'),
      vms_moving: count('moving'),
      vms_releasing: releasing ? releasing.size : null,
      max_parallel: d.maxParallel,
      complete: d.state === 'complete' && remaining.length === 0,
      vms: items
        .filter((i) => i.shown)
        .map(({ id, env_id, state, error, internalId }) => {
          if (!moves) return { id, env_id, state, error };
          const move = moves[internalId];
          return {
            id,
            env_id,
            state,
            error: move?.error ?? error,
            move: move?.state ?? null,
            warning: releasing?.get(internalId)?.warning ?? null,
          };
        }),
    });
  }
  return out;
}
