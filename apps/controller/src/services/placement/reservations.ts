import { and, eq, lte, type Placeholder, type SQL, sql } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DbOrTx, Tx } from '../../db/database.js';
import { param, statement } from '../../db/prepared-statement.js';

export interface Demand {
  cpu: number;
  mem: number;
  disk: number;
}

/**
 * The conditional reservation, with the host and the demand as placeholders: the update happens
 * only if the host is still ready, eligible and has room.
 */
const reservation = statement('reserve_on_host', (db, { hosts }) => {
  const cpu = param('cpu');
  const mem = param('mem');
  const disk = param('disk');
  return db
    .update(hosts)
    .set({
      reservedCpu: sql`${hosts.reservedCpu} + ${cpu}`,
      reservedMem: sql`${hosts.reservedMem} + ${mem}`,
      reservedDisk: sql`${hosts.reservedDisk} + ${disk}`,
    })
    .where(
      and(
        eq(hosts.id, param('hostId')),
        eq(hosts.liveness, 'ready'),
        eq(hosts.policy, 'eligible'),
        lte(sql`${hosts.reservedCpu} + ${hosts.foreignCpu} + ${cpu}`, hosts.totalCpu),
        lte(sql`${hosts.reservedMem} + ${hosts.foreignMem} + ${mem}`, hosts.totalMem),
        lte(sql`${hosts.reservedDisk} + ${hosts.foreignDisk} + ${disk}`, hosts.totalDisk),
      ),
    )
    .returning({ id: hosts.id });
});

/** The reservation's SQL text (the candidate index applies its effect itself). */
export function reservationSql(ctx: Ctx): string {
  return reservation.text(ctx);
}

/**
 * Reserves capacity on a host with a conditional write that re-checks it. Returns false when
 * the host no longer takes it. Correct with several controllers on one database, because the
 * check is in the write (and runs in the caller's transaction, so the reservation commits or
 * rolls back with the rest).
 */
export async function reserveOnHost(
  ctx: Ctx,
  tx: DbOrTx,
  hostId: string,
  d: Demand,
): Promise<boolean> {
  const values = { hostId, cpu: d.cpu, mem: d.mem, disk: d.disk };
  const rows = await reservation.run(ctx, values, tx === ctx.db ? undefined : (tx as Tx));
  return rows.length === 1;
}

/** `value - by`, never below zero (the same SQL on both engines). */
function minusFloorZero(value: SQL | unknown, by: Placeholder): SQL {
  return sql`CASE WHEN ${value} > ${by} THEN ${value} - ${by} ELSE 0 END`;
}

/* Run once per VM deleted, moved or failed: prepared once. */
const vmReservationCleared = statement('vm_reservation_cleared', (db, { vms }) =>
  db
    .update(vms)
    .set({ reserved: false })
    .where(and(eq(vms.id, param('id')), eq(vms.reserved, true)))
    .returning({
      cpu: vms.cpu,
      mem: vms.mem,
      disk: vms.disk,
      disks: vms.disks,
      hostId: vms.hostId,
    }),
);

const hostReservationReleased = statement('host_reservation_released', (db, { hosts }) =>
  db
    .update(hosts)
    .set({
      reservedCpu: minusFloorZero(hosts.reservedCpu, param('cpu')),
      reservedMem: minusFloorZero(hosts.reservedMem, param('mem')),
      reservedDisk: minusFloorZero(hosts.reservedDisk, param('disk')),
    })
    .where(eq(hosts.id, param('hostId'))),
);

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
  const inTx = tx === ctx.db ? undefined : (tx as Tx);
  const vm = (await vmReservationCleared.run(ctx, { id: vmId }, inTx))[0];
  if (!vm) return false;
  // Data disks (issue 13) are reserved with the VM too.
  const dataDisk = (vm.disks ?? []).reduce((sum, d) => sum + d.size, 0);
  await hostReservationReleased.run(
    ctx,
    { hostId: vm.hostId ?? hostId, cpu: vm.cpu, mem: vm.mem, disk: vm.disk + dataDisk },
    inTx,
  );
  return true;
}

/**
 * Reserves on several hosts at once, each re-checked as in `reserveOnHost`. Returns the hosts
 * that did not take their part: the caller's transaction must then roll back, as the others may
 * have been reserved.
 */
export async function reserveOnHosts(
  ctx: Ctx,
  tx: DbOrTx,
  perHost: Map<string, Demand>,
): Promise<string[]> {
  if (perHost.size === 1 || ctx.engine === 'sqlite') {
    // SQLite: the prepared one-host reservation for each host (no round trips to save there)
    // rather than building the statement below at every placement (it finds each host by its
    // primary key too: EXPLAIN QUERY PLAN, 2026-12-07).
    const lost: string[] = [];
    for (const [hostId, d] of perHost) {
      if (!(await reserveOnHost(ctx, tx, hostId, d))) lost.push(hostId);
    }
    return lost;
  }
  const rows = sql.join(
    [...perHost].map(
      ([id, d]) =>
        sql`(${id}, CAST(${d.cpu} AS INTEGER), CAST(${d.mem} AS INTEGER), CAST(${d.disk} AS INTEGER))`,
    ),
    sql`, `,
  );
  // PostgreSQL: one statement, one round trip, however many hosts. Written out rather than
  // built: drizzle has no UPDATE ... FROM (VALUES).
  const statement = sql`WITH d(id, cpu, mem, disk) AS (VALUES ${rows})
    UPDATE hosts SET
      reserved_cpu = hosts.reserved_cpu + d.cpu,
      reserved_mem = hosts.reserved_mem + d.mem,
      reserved_disk = hosts.reserved_disk + d.disk
    FROM d
    WHERE hosts.id = d.id AND hosts.liveness = 'ready' AND hosts.policy = 'eligible'
      AND hosts.reserved_cpu + hosts.foreign_cpu + d.cpu <= hosts.total_cpu
      AND hosts.reserved_mem + hosts.foreign_mem + d.mem <= hosts.total_mem
      AND hosts.reserved_disk + hosts.foreign_disk + d.disk <= hosts.total_disk
    RETURNING hosts.id`;
  const result = await tx.execute(statement);
  const reserved = new Set((result.rows as Array<{ id: string }>).map((r) => r.id));
  return [...perHost.keys()].filter((id) => !reserved.has(id));
}
