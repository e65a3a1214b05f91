import type { Inventory, VmReport } from '@apiary/protocol';
import { and, eq, inArray, ne } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DbOrTx, Tx } from '../../db/database.js';
import type { vms } from '../../db/pg-schema.js';
import { envNameOfVm } from '../envs/env-names.js';
import { viewNics } from '../envs/private-network.js';
import { releaseVmReservation } from '../placement/reservations.js';
import { takeHostRowFirst } from './host-lock-order.js';

export interface VmChange {
  id: string;
  /** The name users know the VM by (the event carries names, never internal ids). */
  name: string;
  orgId: string;
  state: string;
}

/** VM states in which the controller is still waiting for the agent to take the VM. */
const NOT_YET_ON_HOST = new Set(['pending', 'creating']);

/**
 * Applies an agent's full inventory: host resources, held images and the state of every VM it
 * reports. Runs inside the caller's transaction. A report older than what we hold (by the VM's
 * generation) is ignored. Nothing here ever marks a VM deleted: a VM missing from the inventory
 * (or reported deleted) is at most `unknown`; only a delete confirmed by the host's listing
 * (`confirmGone`) removes it from the books.
 */
export async function applyInventory(
  ctx: Ctx,
  tx: Tx,
  now: number,
  hostId: string,
  inv: Inventory,
): Promise<VmChange[]> {
  const { hosts, vms } = ctx.t;
  const changes: VmChange[] = [];
  // The host's row first, before its VMs are read: foreign use is the reported use minus our
  // VMs as read here, and a change recording its outcome (which holds this row) may be resizing
  // one of them. Read before that commits, the old size would make the difference foreign,
  // written once the lock is ours and kept until the next inventory (a CI run saw a resize's
  // reservation counted twice so, on PostgreSQL).
  await takeHostRowFirst(ctx, tx, hostId);
  const known = await tx
    .select()
    .from(vms)
    .where(and(eq(vms.hostId, hostId), ne(vms.state, 'deleted')));
  const knownById = new Map(known.map((v) => [v.id, v]));
  const reported = new Map(inv.vms.map((v) => [v.id, v]));

  // Ours among the reported VMs, counted to tell our usage apart from everything else.
  const ours = { cpu: 0, mem: 0, disk: 0 };
  for (const report of inv.vms) {
    const row = knownById.get(report.id);
    if (!row || report.state === 'deleted') continue;
    ours.cpu += row.cpu;
    ours.mem += row.mem;
    // Data disks (issue 13) are ours too: reserved with the VM, never foreign.
    ours.disk += row.disk + (row.disks ?? []).reduce((sum, d) => sum + d.size, 0);
  }
  const used = inv.resources.used;
  await tx
    .update(hosts)
    .set({
      totalCpu: inv.resources.total.cpu,
      totalMem: inv.resources.total.mem,
      totalDisk: inv.resources.total.disk,
      usedCpu: used.cpu,
      usedMem: used.mem,
      usedDisk: used.disk,
      foreignCpu: Math.max(0, used.cpu - ours.cpu),
      foreignMem: Math.max(0, used.mem - ours.mem),
      foreignDisk: Math.max(0, used.disk - ours.disk),
      vmCount: inv.vms.filter((v) => v.state !== 'deleted').length,
      // Networks VMs can join there (issue 14); an older agent that says nothing offers nat.
      ...(inv.networks ? { networks: inv.networks.map((n) => n.name) } : {}),
      inventoryGeneration: inv.generation,
      lastHeartbeatAt: now,
      updatedAt: now,
    })
    .where(eq(hosts.id, hostId));
  await replaceHostImages(ctx, tx, hostId, inv.images);

  for (const row of known) {
    const report = reported.get(row.id);
    if (report) {
      const change = await applyVmReport(ctx, tx, now, row, report);
      if (change) changes.push(change);
    } else if (row.state === 'deleting') {
      // Waits for the host's confirmation (confirm-gone.ts), whatever the inventory says.
    } else if (!NOT_YET_ON_HOST.has(row.state) && row.state !== 'unknown') {
      // Not reported, not being deleted: never assume it is gone; show it as unknown.
      await tx
        .update(vms)
        .set({
          state: 'unknown',
          errorCode: 'not_reported',
          errorMsg: 'the host no longer reports this VM',
          updatedAt: now,
        })
        .where(eq(vms.id, row.id));
      changes.push({ id: row.id, name: row.name, orgId: row.orgId, state: 'unknown' });
    }
  }
  return changes;
}

async function applyVmReport(
  ctx: Ctx,
  tx: DbOrTx,
  now: number,
  row: typeof vms.$inferSelect,
  report: VmReport,
): Promise<VmChange | null> {
  const { vms } = ctx.t;
  const fresh =
    report.generation > row.generation || row.state === 'pending' || row.state === 'unknown';
  if (!fresh) return null;
  if (report.state === 'deleted') {
    // Not proof either. A VM being deleted waits for the confirmation; any other is unknown.
    if (row.state === 'deleting' || row.state === 'unknown') return null;
    await tx
      .update(vms)
      .set({
        state: 'unknown',
        errorCode: 'not_reported',
        errorMsg: 'the host reports this VM deleted; it is not assumed gone',
        generation: report.generation,
        updatedAt: now,
      })
      .where(eq(vms.id, row.id));
    return { id: row.id, name: row.name, orgId: row.orgId, state: 'unknown' };
  }
  // While the controller deletes a VM, an older state from the host must not undo "deleting".
  const state = row.state === 'deleting' && report.state !== 'failed' ? 'deleting' : report.state;
  await tx
    .update(vms)
    .set({
      state,
      ip: report.ip,
      portMap: report.port_map,
      ...(report.nics ? { nics: viewNics(report.nics) } : {}),
      errorCode: report.error?.code ?? null,
      errorMsg: report.error?.msg ?? null,
      generation: report.generation,
      updatedAt: now,
    })
    .where(eq(vms.id, row.id));
  return state === row.state ? null : { id: row.id, name: row.name, orgId: row.orgId, state };
}

export async function markVmDeleted(ctx: Ctx, tx: Tx, now: number, vmId: string, hostId: string) {
  const { vms } = ctx.t;
  // It writes the VM, then gives its reservation back to the host: the host's row first (a VM
  // never placed has no host, and no reservation to give back).
  if (hostId !== '') await takeHostRowFirst(ctx, tx, hostId);
  await tx.update(vms).set({ state: 'deleted', updatedAt: now }).where(eq(vms.id, vmId));
  await releaseVmReservation(ctx, tx, vmId, hostId);
}

async function replaceHostImages(ctx: Ctx, tx: DbOrTx, hostId: string, digests: string[]) {
  const { hostImages } = ctx.t;
  const current = (
    await tx
      .select({ digest: hostImages.digest })
      .from(hostImages)
      .where(eq(hostImages.hostId, hostId))
  ).map((r) => r.digest);
  const want = new Set(digests);
  const gone = current.filter((d) => !want.has(d));
  const added = [...want].filter((d) => !current.includes(d));
  if (gone.length > 0) {
    await tx
      .delete(hostImages)
      .where(and(eq(hostImages.hostId, hostId), inArray(hostImages.digest, gone)));
  }
  if (added.length > 0) {
    await tx.insert(hostImages).values(added.map((digest) => ({ hostId, digest })));
  }
}

/** Events for VM changes, after the transaction committed. */
export function publishVmChanges(ctx: Ctx, hostId: string, changes: VmChange[]) {
  for (const c of changes) {
    ctx.events.publish({
      type: 'vm.state',
      orgId: c.orgId,
      data: vmEventData({ name: c.name, orgId: c.orgId, hostId }, c.state),
    });
  }
}

/** What a `vm.state` event says: the names its organization uses, never the internal ids. */
export function vmEventData(
  vm: { name: string; orgId: string; hostId: string | null },
  state: string,
): Record<string, unknown> {
  return {
    id: vm.name,
    env_id: envNameOfVm(vm.name),
    org_id: vm.orgId,
    host_id: vm.hostId,
    state,
  };
}
