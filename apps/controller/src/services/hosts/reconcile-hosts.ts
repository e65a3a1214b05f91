import type { HostVm } from '@apiary/protocol';
import { and, eq, inArray, ne } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import { describeHolding } from '../envs/confirm-gone.js';
import { type Lease, LeaseLost } from '../leases/lease.js';
import type { HostRow } from './host-view.js';

/*
 * Reconcile, don't trust. Each pass lists, for every ready host, what the host itself holds per
 * VM id (`GET /api/host/vms`: one call per host, a few host commands whatever its VM count) and
 * compares it with the controller's books. An id the host holds something of (a zone, datasets,
 * links, an agent record) that the controller has no live VM for is an orphan: a lost or
 * restored database, a delete that an agent lied about, a zone made by hand. Orphans are
 * reported (event, host view, metric); under `--orphan-policy remove`, Apiary-made ones are
 * deleted through their agent once the grace period has passed.
 *
 * The create race: the controller writes a VM's record before it ever calls an agent, and
 * the records are read only after the host's listing came back, so a VM being created by this
 * controller (or another on the same database) is always known here. A VM the agent is busy
 * with, or that exists for less than the grace period, is never removed either.
 */

/** Hosts listed at once in a pass. */
const PARALLEL_HOSTS = 4;

export interface ReconcileOutcome {
  hosts: number;
  orphans: number;
  removalsRequested: number;
}

/**
 * `lease`: the reconcile pass's, when it runs as one controller's singleton pass: what it
 * records and every removal it asks for are conditional on still holding it.
 */
export async function reconcileHosts(ctx: Ctx, lease?: Lease): Promise<ReconcileOutcome> {
  const { hosts } = ctx.t;
  const ready = (await ctx.db.select().from(hosts)).filter(
    (h) => (ctx.liveness.state(h.id) ?? h.liveness) === 'ready',
  );
  const outcome: ReconcileOutcome = { hosts: 0, orphans: 0, removalsRequested: 0 };
  const queue = [...ready];
  const worker = async () => {
    for (let host = queue.shift(); host; host = queue.shift()) {
      if (ctx.work.stopping) return;
      try {
        const found = await reconcileHost(ctx, host, lease);
        outcome.hosts++;
        outcome.orphans += found.orphans;
        outcome.removalsRequested += found.removals;
        ctx.metrics.hostReconciles.inc({ result: 'ok' });
      } catch (error) {
        if (error instanceof LeaseLost) throw error;
        ctx.metrics.hostReconciles.inc({ result: 'error' });
        ctx.log.warn({ host_id: host.id, error }, 'reconciling a host failed');
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_HOSTS }, worker));
  return outcome;
}

async function reconcileHost(ctx: Ctx, host: HostRow, lease: Lease | undefined) {
  const client = ctx.agents.forHost(host);
  const listing = await client.listHostVms();
  // Read after the listing: see the create race above.
  const held = listing.items.filter(holdsSomething);
  const known = await liveVmIds(
    ctx,
    held.map((i) => i.id),
  );
  const orphans = held.filter((i) => !known.has(i.id));
  const now = ctx.clock.now();
  const { added, resolved } = await recordOrphans(ctx, host.id, orphans, now, lease);
  if (added.length > 0 || resolved.length > 0) {
    ctx.log.warn(
      { host_id: host.id, orphans: orphans.map((o) => o.id), added, resolved },
      'the host holds VMs the controller has no record of',
    );
    ctx.events.publish({
      type: 'host.orphans',
      orgId: null,
      data: { host_id: host.id, orphans: orphans.map((o) => o.id), added, resolved },
    });
  }
  let removals = 0;
  if (ctx.config.orphanPolicy === 'remove') {
    for (const item of orphans) if (await removeOrphan(ctx, host, item, now, lease)) removals++;
  }
  return { orphans: orphans.length, removals };
}

function holdsSomething(item: HostVm): boolean {
  return (
    item.zone_state !== null ||
    item.datasets.length > 0 ||
    item.links.length > 0 ||
    item.agent_state !== null
  );
}

/** Ids among `ids` the controller has a VM record for, in any state but deleted. */
async function liveVmIds(ctx: Ctx, ids: string[]): Promise<Set<string>> {
  const { vms } = ctx.t;
  if (ids.length === 0) return new Set();
  const rows = await ctx.db
    .select({ id: vms.id })
    .from(vms)
    .where(and(inArray(vms.id, ids), ne(vms.state, 'deleted')));
  return new Set(rows.map((r) => r.id));
}

/** Made by Apiary: its zone carries our id, or there is no zone (only our datasets/records). */
function apiaryMade(item: HostVm): boolean {
  return item.zone_state === null || item.apiary === true;
}

/** Upserts this host's orphans (first-seen times kept) and drops those no longer held. */
async function recordOrphans(
  ctx: Ctx,
  hostId: string,
  orphans: HostVm[],
  now: number,
  lease: Lease | undefined,
) {
  const { hostOrphans } = ctx.t;
  return await ctx.db.transaction(async (tx) => {
    await lease?.check(tx);
    const before = new Set(
      (
        await tx
          .select({ vmId: hostOrphans.vmId })
          .from(hostOrphans)
          .where(eq(hostOrphans.hostId, hostId))
      ).map((r) => r.vmId),
    );
    for (const item of orphans) {
      const fields = {
        apiary: apiaryMade(item),
        zoneState: item.zone_state,
        holds: describeHolding(item),
        lastSeenAt: now,
      };
      await tx
        .insert(hostOrphans)
        .values({ hostId, vmId: item.id, firstSeenAt: now, ...fields })
        .onConflictDoUpdate({ target: [hostOrphans.hostId, hostOrphans.vmId], set: fields });
    }
    const current = new Set(orphans.map((o) => o.id));
    const resolved = [...before].filter((id) => !current.has(id)).sort();
    if (resolved.length > 0) {
      await tx
        .delete(hostOrphans)
        .where(and(eq(hostOrphans.hostId, hostId), inArray(hostOrphans.vmId, resolved)));
    }
    return { added: [...current].filter((id) => !before.has(id)).sort(), resolved };
  });
}

/**
 * Asks the agent to delete an Apiary-made orphan once it has been seen for the grace period,
 * exists for at least that long, has no operation running, and still has no record here. The
 * agent's delete is idempotent (and adopts a zone of ours it lost track of); the next pass
 * sees whether it is gone.
 */
async function removeOrphan(
  ctx: Ctx,
  host: HostRow,
  item: HostVm,
  now: number,
  lease: Lease | undefined,
) {
  const { hostOrphans } = ctx.t;
  const grace = ctx.config.orphanGraceMs;
  const row = (
    await ctx.db
      .select()
      .from(hostOrphans)
      .where(and(eq(hostOrphans.hostId, host.id), eq(hostOrphans.vmId, item.id)))
  )[0];
  if (!row?.apiary) return false;
  const removable = item.agent_state !== null || (item.zone_state !== null && item.apiary);
  const created = item.created_at === null ? null : Date.parse(item.created_at);
  if (!removable || item.busy || item.agent_state === 'creating') return false;
  if (now - row.firstSeenAt < grace || (created !== null && now - created < grace)) return false;
  if ((await liveVmIds(ctx, [item.id])).has(item.id)) return false;
  // A controller paused past its lease must not delete what another has since recorded.
  await lease?.check(ctx.db);
  let error: string | null = null;
  try {
    await ctx.agents.forHost(host).deleteVm({ params: { id: item.id } });
    ctx.metrics.orphanRemovals.inc({ result: 'requested' });
    ctx.log.warn(
      { host_id: host.id, vm_id: item.id },
      'removing a VM the controller has no record of',
    );
  } catch (e) {
    error = (e as Error).message.slice(0, 500);
    ctx.metrics.orphanRemovals.inc({ result: 'error' });
    ctx.log.warn({ host_id: host.id, vm_id: item.id, error: e }, 'removing an orphan failed');
  }
  await ctx.db
    .update(hostOrphans)
    .set({ removalAt: now, removalError: error })
    .where(and(eq(hostOrphans.hostId, host.id), eq(hostOrphans.vmId, item.id)));
  return error === null;
}
