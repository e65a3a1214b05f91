import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/open-db.js';
import { hosts, vms } from '../../db/schema.js';

export interface Demand {
  cpu: number;
  mem: number;
  disk: number;
}

/**
 * Reserves capacity on a host with a conditional write that re-checks it: the update happens
 * only if the host is still ready, eligible and has room. Returns false when it did not.
 * Correct even with several controllers on one database, because the check is in the write.
 */
export function reserveOnHost(tx: DbOrTx, hostId: string, d: Demand): boolean {
  const result = tx
    .update(hosts)
    .set({
      reservedCpu: sql`${hosts.reservedCpu} + ${d.cpu}`,
      reservedMem: sql`${hosts.reservedMem} + ${d.mem}`,
      reservedDisk: sql`${hosts.reservedDisk} + ${d.disk}`,
    })
    .where(
      and(
        eq(hosts.id, hostId),
        eq(hosts.liveness, 'ready'),
        eq(hosts.policy, 'eligible'),
        sql`${hosts.reservedCpu} + ${hosts.foreignCpu} + ${d.cpu} <= ${hosts.totalCpu}`,
        sql`${hosts.reservedMem} + ${hosts.foreignMem} + ${d.mem} <= ${hosts.totalMem}`,
        sql`${hosts.reservedDisk} + ${hosts.foreignDisk} + ${d.disk} <= ${hosts.totalDisk}`,
      ),
    )
    .run();
  return result.changes === 1;
}

/**
 * Gives a VM's reservation back, exactly once: the VM's `reserved` flag is cleared by a
 * conditional write, and only the write that cleared it releases the capacity.
 */
export function releaseVmReservation(tx: DbOrTx, vmId: string, hostId: string): boolean {
  const vm = tx.select().from(vms).where(eq(vms.id, vmId)).get();
  if (!vm) return false;
  const cleared = tx
    .update(vms)
    .set({ reserved: false })
    .where(and(eq(vms.id, vmId), eq(vms.reserved, true)))
    .run();
  if (cleared.changes !== 1) return false;
  tx.update(hosts)
    .set({
      reservedCpu: sql`max(0, ${hosts.reservedCpu} - ${vm.cpu})`,
      reservedMem: sql`max(0, ${hosts.reservedMem} - ${vm.mem})`,
      reservedDisk: sql`max(0, ${hosts.reservedDisk} - ${vm.disk})`,
    })
    .where(eq(hosts.id, vm.hostId ?? hostId))
    .run();
  return true;
}
