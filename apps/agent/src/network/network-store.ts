import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { networks, vmNics, vms } from '../db/schema.js';
import type { Layout } from '../host/layout.js';

/* Rows of networks and VM NICs, and what they say about who uses which link. */

export type NetworkRow = typeof networks.$inferSelect;
export type VmNicRow = typeof vmNics.$inferSelect;

export function listNetworkRows(db: Db): NetworkRow[] {
  return db.select().from(networks).all();
}

export function getNetworkRow(db: Db, name: string): NetworkRow | undefined {
  return db.select().from(networks).where(eq(networks.name, name)).get();
}

export function insertNetworkRow(db: Db, row: NetworkRow): void {
  db.insert(networks).values(row).run();
}

export function markNetworkReady(db: Db, name: string): void {
  db.update(networks).set({ state: 'ready' }).where(eq(networks.name, name)).run();
}

export function deleteNetworkRow(db: Db, name: string): void {
  db.delete(networks).where(eq(networks.name, name)).run();
}

export function nicsOfVm(db: Db, vmId: string): VmNicRow[] {
  return db.select().from(vmNics).where(eq(vmNics.vmId, vmId)).orderBy(vmNics.idx).all();
}

/** Whether a VM's primary network is nat (a VM without NIC rows is on nat alone). */
export function primaryIsNat(db: Db, vmId: string): boolean {
  return (nicsOfVm(db, vmId)[0]?.network ?? 'nat') === 'nat';
}

export function nicsOnNetwork(db: Db, network: string): VmNicRow[] {
  return db.select().from(vmNics).where(eq(vmNics.network, network)).all();
}

export function allNics(db: Db): VmNicRow[] {
  return db.select().from(vmNics).all();
}

/** Which VM each of Apiary's VM VNICs belongs to: slot-named NAT NICs and network NICs. */
export function vmOfVnic(db: Db, layout: Layout): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of db.select({ id: vms.id, slot: vms.slot }).from(vms).all())
    if (r.slot !== null) out.set(layout.vnic(r.slot), r.id);
  for (const nic of allNics(db)) out.set(nic.vnic, nic.vmId);
  return out;
}
