import { and, eq, notInArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DbOrTx } from '../../db/database.js';
import { diskTotal } from './record-step.js';

/**
 * A host's foreign use (what it runs that is not ours) is its reported use minus our VMs. A
 * heartbeat that came while a change was on its way saw the host changed but our VM row not
 * yet, and counted the difference as foreign; with no newer inventory to come, that would stay.
 * So recording a change works foreign use out again from the last reported use and our rows.
 */
export async function refreshForeign(ctx: Ctx, tx: DbOrTx, hostId: string): Promise<void> {
  const { hosts, vms } = ctx.t;
  const host = (await tx.select().from(hosts).where(eq(hosts.id, hostId)))[0];
  if (!host) return;
  const rows = await tx
    .select({ cpu: vms.cpu, mem: vms.mem, disk: vms.disk, disks: vms.disks })
    .from(vms)
    .where(
      and(
        eq(vms.hostId, hostId),
        eq(vms.sent, true),
        notInArray(vms.state, ['deleted', 'pending']),
      ),
    );
  const ours = { cpu: 0, mem: 0, disk: 0 };
  for (const r of rows) {
    ours.cpu += r.cpu;
    ours.mem += r.mem;
    ours.disk += diskTotal(r.disk, r.disks);
  }
  await tx
    .update(hosts)
    .set({
      foreignCpu: Math.max(0, host.usedCpu - ours.cpu),
      foreignMem: Math.max(0, host.usedMem - ours.mem),
      foreignDisk: Math.max(0, host.usedDisk - ours.disk),
    })
    .where(eq(hosts.id, hostId));
}
