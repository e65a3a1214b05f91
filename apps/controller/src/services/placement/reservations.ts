import { and, eq, lte, type SQL, sql } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DbOrTx } from '../../db/database.js';

export interface Demand {
  cpu: number;
  mem: number;
  disk: number;
}

/**
 * Reserves capacity on a host with a conditional write that re-checks it: the update happens
 * only if the host is still ready, eligible and has room. Returns false when it did not.
 * Correct with several controllers on one database, because the check is in the write (and
 * runs in the caller's transaction, so the reservation commits or rolls back with the rest).
 */
export async function reserveOnHost(
  ctx: Ctx,
  tx: DbOrTx,
  hostId: string,
  d: Demand,
): Promise<boolean> {
  const { hosts } = ctx.t;
  const rows = await tx
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
        lte(sql`${hosts.reservedCpu} + ${hosts.foreignCpu} + ${d.cpu}`, hosts.totalCpu),
        lte(sql`${hosts.reservedMem} + ${hosts.foreignMem} + ${d.mem}`, hosts.totalMem),
        lte(sql`${hosts.reservedDisk} + ${hosts.foreignDisk} + ${d.disk}`, hosts.totalDisk),
      ),
    )
    .returning({ id: hosts.id });
  return rows.length === 1;
}

/** `value - by`, never below zero (the same SQL on both engines). */
function minusFloorZero(value: SQL | unknown, by: number): SQL {
  return sql`CASE WHEN ${value} > ${by} THEN ${value} - ${by} ELSE 0 END`;
}

/**
 * Gives a VM's reservation back, exactly once: the VM's `reserved` flag is cleared by a
 * conditional write, and only the write that cleared it releases the capacity.
 */
export async function releaseVmReservation(
  ctx: Ctx,
  tx: DbOrTx,
  vmId: string,
  hostId: string,
): Promise<boolean> {
  const { hosts, vms } = ctx.t;
  const cleared = await tx
    .update(vms)
    .set({ reserved: false })
    .where(and(eq(vms.id, vmId), eq(vms.reserved, true)))
    .returning({
      cpu: vms.cpu,
      mem: vms.mem,
      disk: vms.disk,
      disks: vms.disks,
      hostId: vms.hostId,
    });
  const vm = cleared[0];
  if (!vm) return false;
  // Data disks (issue 13) are reserved with the VM too.
  const dataDisk = (vm.disks ?? []).reduce((sum, d) => sum + d.size, 0);
  await tx
    .update(hosts)
    .set({
      reservedCpu: minusFloorZero(hosts.reservedCpu, vm.cpu),
      reservedMem: minusFloorZero(hosts.reservedMem, vm.mem),
      reservedDisk: minusFloorZero(hosts.reservedDisk, vm.disk + dataDisk),
    })
    .where(eq(hosts.id, vm.hostId ?? hostId));
  return true;
}
