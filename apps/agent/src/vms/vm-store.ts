import type { AgentVm, FailureInfo, VmState } from '@apiary/protocol';
import { and, asc, count, eq, inArray, isNotNull } from 'drizzle-orm';
import { bumpGeneration } from '../db/meta-store.js';
import type { Db } from '../db/open.js';
import { portAllocations, vmNics, vmSnapshots, vms } from '../db/schema.js';
import { disksOf, pendingChanges } from './vm-machine.js';

export type VmRow = typeof vms.$inferSelect;
export type NewVmRow = typeof vms.$inferInsert;

/*
 * VM records. Every state change goes through `updateVm`, which stamps the VM with a fresh
 * host-wide generation in the same transaction, so the controller can order reports.
 */

export function getVm(db: Db, id: string): VmRow | undefined {
  return db.select().from(vms).where(eq(vms.id, id)).get();
}

export function listVmRows(db: Db, limit?: number, offset?: number): VmRow[] {
  const q = db.select().from(vms).orderBy(asc(vms.createdAt), asc(vms.id));
  if (limit !== undefined)
    return q
      .limit(limit)
      .offset(offset ?? 0)
      .all();
  return q.all();
}

export function countVms(db: Db): number {
  return db.select({ n: count() }).from(vms).get()?.n ?? 0;
}

/** VMs by state, counted in the database (the metrics scrape). */
export function countVmsByState(db: Db): Map<string, number> {
  const rows = db.select({ state: vms.state, n: count() }).from(vms).groupBy(vms.state).all();
  return new Map(rows.map((r) => [r.state, r.n]));
}

export function insertVm(db: Db, row: Omit<NewVmRow, 'generation'>): VmRow {
  const generation = bumpGeneration(db);
  return db
    .insert(vms)
    .values({ ...row, generation })
    .returning()
    .get();
}

export function updateVm(
  db: Db,
  id: string,
  changes: Partial<Omit<VmRow, 'id' | 'generation'>>,
  now = new Date(),
): VmRow | undefined {
  return db.transaction((tx) => {
    const generation = bumpGeneration(tx as unknown as Db);
    return tx
      .update(vms)
      .set({ ...changes, generation, updatedAt: now.toISOString() })
      .where(eq(vms.id, id))
      .returning()
      .get();
  });
}

export function setVmState(
  db: Db,
  id: string,
  state: VmState,
  error: FailureInfo | null = null,
  extra: Partial<VmRow> = {},
) {
  return updateVm(db, id, {
    state,
    errorCode: error?.code ?? null,
    errorMsg: error?.msg ?? null,
    ...extra,
  });
}

export function deleteVmRow(db: Db, id: string): void {
  db.transaction((tx) => {
    bumpGeneration(tx as unknown as Db);
    tx.delete(portAllocations).where(eq(portAllocations.vmId, id)).run();
    tx.delete(vmNics).where(eq(vmNics.vmId, id)).run();
    // Its snapshots went with its dataset.
    tx.delete(vmSnapshots).where(eq(vmSnapshots.vmId, id)).run();
    tx.delete(vms).where(eq(vms.id, id)).run();
  });
}

export function usedSlots(db: Db): Set<number> {
  const rows = db.select({ slot: vms.slot }).from(vms).where(isNotNull(vms.slot)).all();
  return new Set(rows.map((r) => r.slot as number));
}

export function portsOf(db: Db, vmId: string): Array<{ hostPort: number; guestPort: number }> {
  return db
    .select({ hostPort: portAllocations.hostPort, guestPort: portAllocations.guestPort })
    .from(portAllocations)
    .where(eq(portAllocations.vmId, vmId))
    .orderBy(asc(portAllocations.guestPort))
    .all();
}

/** Give back host ports of a VM (forwards a change removed, or an undone change added). */
export function deletePortRows(db: Db, vmId: string, hostPorts: number[]): void {
  if (hostPorts.length === 0) return;
  db.delete(portAllocations)
    .where(and(eq(portAllocations.vmId, vmId), inArray(portAllocations.hostPort, hostPorts)))
    .run();
}

export function allPortRows(db: Db) {
  return db.select().from(portAllocations).all();
}

export function toAgentVm(row: VmRow, ip: string | null, portMap: Record<string, number>): AgentVm {
  return {
    id: row.id,
    env_id: row.envId,
    state: row.state as VmState,
    error: row.errorCode ? { code: row.errorCode, msg: row.errorMsg ?? '' } : null,
    image: row.image,
    image_digest: row.imageDigest,
    cpu: row.cpu,
    mem: row.mem,
    disk: row.disk,
    ports: JSON.parse(row.ports) as number[],
    deny_outgoing: row.denyOutgoing,
    ip,
    port_map: portMap,
    generation: row.generation,
    operation_id: row.operationId,
    disks: disksOf(row).map((d) => ({ ...d, used: null })),
    cdrom: row.cdrom as AgentVm['cdrom'],
    pending_changes: pendingChanges(row),
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}
