import type { Drain } from '@apiary/protocol';
import { inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { drains } from '../../db/pg-schema.js';
import { iso, isoOrNull } from '../../lib/clock.js';
import { canSeeOrg, type Principal } from '../auth/principal.js';
import { envNameOfVm } from '../envs/env-names.js';
import { toVmView } from '../envs/env-view.js';

export type DrainRow = typeof drains.$inferSelect;

/** When a VM no longer holds up a drain: gone for `wait`, stopped or gone for `stop`. */
export function vmIsDrained(mode: DrainRow['mode'], state: string | undefined): boolean {
  if (state === undefined || state === 'deleted') return true;
  return mode === 'stop' && state === 'stopped';
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
    const items = d.vmIds.map((id) => {
      const v = byId.get(id);
      // Gone from the books (its environment was purged): nobody can say whose it was.
      if (!v) {
        const shown = viewer === undefined || canSeeOrg(viewer, null);
        const name = { id, env_id: envNameOfVm(id) };
        return { ...name, state: 'deleted' as const, error: null, shown };
      }
      const view = toVmView(v, hostById.get(d.hostId));
      const shown = viewer === undefined || canSeeOrg(viewer, v.orgId);
      return {
        id: view.id,
        env_id: view.env_id,
        state: view.state,
        error: view.error?.msg ?? null,
        raw: v,
        shown,
      };
    });
    const remaining = items.filter(
      (i) => !vmIsDrained(d.mode, 'raw' in i ? i.raw?.state : undefined),
    );
    const failed = remaining.filter(
      (i) => 'raw' in i && vmDrainFailed(i.raw?.state, i.raw?.errorCode ?? null),
    );
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
      complete: d.state === 'complete' && remaining.length === 0,
      vms: items
        .filter((i) => i.shown)
        .map(({ id, env_id, state, error }) => ({ id, env_id, state, error })),
    });
  }
  return out;
}
