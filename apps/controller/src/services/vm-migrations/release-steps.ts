import { type Operation, sleep } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { refreshForeign } from '../vm-changes/refresh-foreign.js';
import { giveBack } from '../vm-changes/reservation.js';
import {
  agentCall,
  agentVmOrNull,
  followOperation,
  hostsOf,
  isUnreachable,
  type MigrationRun,
  sourceOf,
} from './migration-agents.js';
import { readMemo, updateMemo } from './migration-memo.js';

/** The source removes its copy (zone, volumes, VNIC, forwards, its record), once. */
async function releaseOnce(ctx: Ctx, run: MigrationRun): Promise<void> {
  const memo = await readMemo(ctx, run.id);
  const source = await sourceOf(ctx, run);
  const vm = await agentVmOrNull(source, run.input.vmId);
  if (!vm) return;
  let op: Operation | null = null;
  const running = vm.operation_id ?? memo.releaseOp;
  if (running) {
    const found = await source.getOperation({ params: { id: running } }).catch(() => null);
    if (found?.kind === 'delete' && ['pending', 'running'].includes(found.state)) op = found;
  }
  if (!op) {
    op = (await agentCall(ctx, run, () => source.releaseVm({ params: { id: run.input.vmId } })))
      .operation;
    await updateMemo(ctx, run.id, { releaseOp: op.id });
  }
  await followOperation(ctx, run, source, op);
}

/**
 * After the switch the VM is on the target whatever happens here: the release is retried while
 * the source cannot be reached (for the operation timeout), so a blip leaves no copy behind.
 */
export async function releaseOnSource(ctx: Ctx, run: MigrationRun): Promise<void> {
  const deadline = ctx.clock.now() + ctx.config.operationTimeoutMs;
  for (;;) {
    try {
      return await releaseOnce(ctx, run);
    } catch (error) {
      if (!isUnreachable(error) || ctx.clock.now() > deadline || run.signal.aborted) throw error;
      await sleep(1000, run.signal).catch(() => {});
    }
  }
}

/**
 * Gives back the source's reservation (passed to the saga at the switch; exactly once) and
 * records the result: the hosts, the downtime and the port map on the new host.
 */
export async function settleMigration(ctx: Ctx, run: MigrationRun): Promise<void> {
  const { from, to } = hostsOf(run);
  await giveBack(ctx, run.id);
  await ctx.db.transaction((tx) => refreshForeign(ctx, tx, from));
  const memo = await readMemo(ctx, run.id);
  const { vms, sagas } = ctx.t;
  const vm = (
    await ctx.db.select({ portMap: vms.portMap }).from(vms).where(eq(vms.id, run.input.vmId))
  )[0];
  await ctx.db
    .update(sagas)
    .set({
      result: {
        from_host: from,
        to_host: to,
        downtime_ms: memo.downtimeMs ?? 0,
        port_map: vm?.portMap ?? {},
      },
    })
    .where(eq(sagas.id, run.id));
}
