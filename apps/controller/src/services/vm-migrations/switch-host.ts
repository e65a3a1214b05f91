import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { vmEventData } from '../hosts/apply-inventory.js';
import { takeHostRowFirst } from '../hosts/host-lock-order.js';
import { agentFacts, diskTotal } from '../vm-changes/record-step.js';
import { refreshForeign } from '../vm-changes/refresh-foreign.js';
import { takeHeld } from '../vm-changes/reservation.js';
import { hostsOf, type MigrationRun, targetOf } from './migration-agents.js';
import { readMemo, updateMemo } from './migration-memo.js';

/**
 * The switch, in one transaction: the VM row points at the target with what the target's agent
 * says of it (state, address, port map, generation); the reservation held on the target since
 * accept becomes the VM's own, and the VM's reservation on the source passes to the saga,
 * given back exactly once when the source has released it (settle step). From here on the VM
 * is on the target: no undo takes it back.
 */
export async function switchHost(ctx: Ctx, run: MigrationRun): Promise<void> {
  if ((await readMemo(ctx, run.id)).switched) return;
  const { from, to } = hostsOf(run);
  const target = await targetOf(ctx, run);
  const a = await target.getVm({ params: { id: run.input.vmId } });
  const { vms, sagas } = ctx.t;
  const row = await ctx.db.transaction(async (tx) => {
    if ((await readMemo(ctx, run.id, tx)).switched) return null;
    await takeHostRowFirst(ctx, tx, to);
    const old = (await tx.select().from(vms).where(eq(vms.id, run.input.vmId)))[0];
    if (!old) throw new Error(`VM ${run.input.vmName} is gone from the books`);
    const held = await takeHeld(ctx, tx, run.id);
    const updated = (
      await tx
        .update(vms)
        .set({
          ...agentFacts(a),
          hostId: to,
          sent: true,
          reserved: old.reserved || held !== null,
          updatedAt: ctx.clock.now(),
        })
        .where(eq(vms.id, old.id))
        .returning()
    )[0];
    const sourceHeld = old.reserved
      ? { hostId: from, cpu: old.cpu, mem: old.mem, disk: diskTotal(old.disk, old.disks) }
      : null;
    await tx.update(sagas).set({ reserved: sourceHeld }).where(eq(sagas.id, run.id));
    await updateMemo(ctx, run.id, { switched: true }, tx);
    await refreshForeign(ctx, tx, to);
    return updated;
  });
  if (row) {
    ctx.log.info({ vm_id: row.id, from_host: from, to_host: to }, 'VM switched to its new host');
    ctx.events.publish({ type: 'vm.state', orgId: row.orgId, data: vmEventData(row, row.state) });
  }
}
