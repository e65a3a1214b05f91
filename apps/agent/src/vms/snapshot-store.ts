import type { VmMachine, VmSnapshot } from '@apiary/protocol';
import { and, asc, eq, like, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { vmSnapshots, vms } from '../db/schema.js';

export type SnapshotRow = typeof vmSnapshots.$inferSelect;

/*
 * Records of VM snapshots, oldest first (the order ZFS takes them in, so "later" means
 * inserted later). The disks' snapshots on the host are the truth; a row adds the machine.
 */

export function listSnapshotRows(db: Db, vmId: string): SnapshotRow[] {
  return db
    .select()
    .from(vmSnapshots)
    .where(eq(vmSnapshots.vmId, vmId))
    .orderBy(asc(vmSnapshots.createdAt), asc(sql`rowid`))
    .all();
}

export function getSnapshotRow(db: Db, vmId: string, name: string): SnapshotRow | undefined {
  return db
    .select()
    .from(vmSnapshots)
    .where(and(eq(vmSnapshots.vmId, vmId), eq(vmSnapshots.name, name)))
    .get();
}

export function insertSnapshotRow(db: Db, vmId: string, name: string, machine: VmMachine): void {
  db.insert(vmSnapshots)
    .values({ vmId, name, machine: JSON.stringify(machine), createdAt: new Date().toISOString() })
    .onConflictDoNothing()
    .run();
}

export function deleteSnapshotRows(db: Db, vmId: string, names?: string[]): void {
  const rows = listSnapshotRows(db, vmId).filter((r) => !names || names.includes(r.name));
  for (const r of rows) {
    db.delete(vmSnapshots)
      .where(and(eq(vmSnapshots.vmId, vmId), eq(vmSnapshots.name, r.name)))
      .run();
  }
}

export function setSnapshotUsed(db: Db, vmId: string, name: string, bytes: number): void {
  db.update(vmSnapshots)
    .set({ usedBytes: bytes })
    .where(and(eq(vmSnapshots.vmId, vmId), eq(vmSnapshots.name, name)))
    .run();
}

/** Snapshots taken after `name` (what `zfs rollback -r` destroys). */
export function laterSnapshots(db: Db, vmId: string, name: string): string[] {
  const rows = listSnapshotRows(db, vmId);
  const at = rows.findIndex((r) => r.name === name);
  return at < 0 ? [] : rows.slice(at + 1).map((r) => r.name);
}

/** `<vm>@<snapshot>`: how a clone records where its disks come from. */
export const sourceOf = (vmId: string, name: string) => `${vmId}@${name}`;

/** VMs cloned from a snapshot of `vmId` (`name`: that snapshot only). */
export function clonesOf(
  db: Db,
  vmId: string,
  name?: string,
): Array<{ id: string; source: string }> {
  const where = name
    ? eq(vms.sourceSnapshot, sourceOf(vmId, name))
    : like(vms.sourceSnapshot, `${vmId}@%`);
  return db
    .select({ id: vms.id, source: vms.sourceSnapshot })
    .from(vms)
    .where(where)
    .all()
    .map((r) => ({ id: r.id, source: r.source ?? '' }));
}

export function toVmSnapshot(row: SnapshotRow, clones: string[]): VmSnapshot {
  return {
    name: row.name,
    vm_id: row.vmId as VmSnapshot['vm_id'],
    created_at: row.createdAt,
    machine: JSON.parse(row.machine) as VmMachine,
    used: row.usedBytes,
    clones: clones as VmSnapshot['clones'],
  };
}
