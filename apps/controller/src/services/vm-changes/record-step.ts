import type { AgentVm } from '@apiary/protocol';
import { sleep } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { VmDiskRecord } from '../../db/sqlite-schema.js';
import { vmEventData } from '../hosts/apply-inventory.js';
import { takeHostRowFirst } from '../hosts/host-lock-order.js';
import type { Demand } from '../placement/reservations.js';
import type { SagaRun } from '../sagas/saga-engine.js';
import { agentClientFor } from './agent-step.js';
import { agentVmOf, type ChangeInput } from './change-input.js';
import { refreshForeign } from './refresh-foreign.js';
import { adjustHost, takeHeld } from './reservation.js';

/** Boot disk plus data disks: what a VM reserves on its host's disk. */
export function diskTotal(disk: number, disks: readonly { size: number }[] | null | undefined) {
  return disk + (disks ?? []).reduce((sum, d) => sum + d.size, 0);
}

/** The VM as its agent reports it after the change; retried while the agent cannot answer. */
async function readAgentVm(ctx: Ctx, run: SagaRun<ChangeInput>): Promise<AgentVm> {
  const client = await agentClientFor(ctx, run.input.hostId);
  let delay = 200;
  for (;;) {
    try {
      return await client.getVm({ params: { id: agentVmOf(run.input) } });
    } catch (error) {
      // The change is made on the host: giving its reservation back now would be wrong.
      if (run.signal.aborted) throw run.signal.reason;
      ctx.log.warn({ saga_id: run.id, error: String(error) }, 'cannot read the changed VM yet');
      await sleep(delay, run.signal);
      delay = Math.min(5000, delay * 2);
    }
  }
}

/** The columns of a VM row that follow what its agent reports. */
export function agentFacts(a: AgentVm) {
  return {
    state: a.state,
    cpu: a.cpu,
    mem: a.mem,
    disk: a.disk,
    ports: a.ports,
    denyOutgoing: a.deny_outgoing,
    ip: a.ip,
    portMap: a.port_map,
    disks: (a.disks ?? []) as VmDiskRecord[],
    cdrom: a.cdrom ?? null,
    pendingChanges: (a.pending_changes ?? null) as Record<string, unknown> | null,
    errorCode: a.error?.code ?? null,
    errorMsg: a.error?.msg ?? null,
    generation: a.generation,
  };
}

/**
 * Records the outcome on the VM row (what the agent's VM says now) and settles the capacity:
 * the host's reservation follows the VM's new machine, the part reserved at accept included,
 * in one transaction with the row, exactly once.
 */
export async function recordOutcome(ctx: Ctx, run: SagaRun<ChangeInput>): Promise<void> {
  const { vms } = ctx.t;
  const a = await readAgentVm(ctx, run);
  const id = agentVmOf(run.input);
  const row = await ctx.db.transaction(async (tx) => {
    const old = (await tx.select().from(vms).where(eq(vms.id, id)))[0];
    if (!old) return null;
    const hostId = old.hostId ?? run.input.hostId;
    await takeHostRowFirst(ctx, tx, hostId);
    const held = await takeHeld(ctx, tx, run.id);
    const facts = agentFacts(a);
    const updated = (
      await tx
        .update(vms)
        .set({ ...facts, sent: true, updatedAt: ctx.clock.now() })
        .where(eq(vms.id, id))
        .returning()
    )[0];
    if (old.reserved && !run.input.clone) {
      const was: Demand = { cpu: old.cpu, mem: old.mem, disk: diskTotal(old.disk, old.disks) };
      const now: Demand = { cpu: a.cpu, mem: a.mem, disk: diskTotal(a.disk, a.disks) };
      const h = held ?? { cpu: 0, mem: 0, disk: 0 };
      await adjustHost(ctx, tx, hostId, {
        cpu: now.cpu - was.cpu - h.cpu,
        mem: now.mem - was.mem - h.mem,
        disk: now.disk - was.disk - h.disk,
      });
    }
    await refreshForeign(ctx, tx, hostId);
    return updated;
  });
  if (row) {
    ctx.events.publish({ type: 'vm.state', orgId: row.orgId, data: vmEventData(row, row.state) });
  }
}
