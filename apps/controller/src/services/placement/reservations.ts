import type Database from 'better-sqlite3';
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/open-db.js';


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
export function reserveOnHost(client: Database.Database, hostId: string, d: Demand): boolean {
  const result = reserveStatement(client).run({ id: hostId, cpu: d.cpu, mem: d.mem, disk: d.disk });
  return result.changes === 1;
}

const reserveStatements = new WeakMap<Database.Database, Database.Statement>();

/**
 * Prepared once per connection: placement is the hot path. Run inside the caller's transaction
 * (same connection), so the reservation commits or rolls back with everything else.
 */
function reserveStatement(client: Database.Database): Database.Statement {
  let st = reserveStatements.get(client);
  if (!st) {
    st = client.prepare(
      `UPDATE hosts SET reserved_cpu = reserved_cpu + @cpu, reserved_mem = reserved_mem + @mem,
         reserved_disk = reserved_disk + @disk
       WHERE id = @id AND liveness = 'ready' AND policy = 'eligible'
         AND reserved_cpu + foreign_cpu + @cpu <= total_cpu
         AND reserved_mem + foreign_mem + @mem <= total_mem
         AND reserved_disk + foreign_disk + @disk <= total_disk`,
    );
    reserveStatements.set(client, st);
  }
  return st;
}

/**
 * Gives a VM's reservation back, exactly once: the VM's `reserved` flag is cleared by a
 * conditional write, and only the write that cleared it releases the capacity.
 */
export async function releaseVmReservation(tx: DbOrTx, vmId: string, hostId: string): Promise<boolean> {
  const vm = (await tx.select().from(vms).where(eq(vms.id, vmId)))[0];
  if (!vm) return false;
  const cleared = (await tx
    .update(vms)
    .set({ reserved: false })
    .where(and(eq(vms.id, vmId), eq(vms.reserved, true))));
  if (cleared.changes !== 1) return false;
  await tx.update(hosts)
    .set({
      reservedCpu: sql`max(0, ${hosts.reservedCpu} - ${vm.cpu})`,
      reservedMem: sql`max(0, ${hosts.reservedMem} - ${vm.mem})`,
      reservedDisk: sql`max(0, ${hosts.reservedDisk} - ${vm.disk})`,
    })
    .where(eq(hosts.id, vm.hostId ?? hostId));
  return true;
}
