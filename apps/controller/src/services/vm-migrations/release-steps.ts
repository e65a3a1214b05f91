import type { Operation } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { Interrupted, VmOpError } from '../envs/vm-op-error.js';
import { refreshForeign } from '../vm-changes/refresh-foreign.js';
import { giveBack } from '../vm-changes/reservation.js';
import {
  agentCall,
  agentVmOrNull,
  followOperation,
  hostsOf,
  type MigrationRun,
  sourceOf,
} from './migration-agents.js';
import { readMemo, updateMemo } from './migration-memo.js';
import { releaseRetryWait, releaseWillRetry } from './release-retry.js';

/**
 * The source removes its copy (zone, volumes, VNIC, forwards, its record), once. A release
 * that failed part-way left the source's VM `failed` (what it could not remove is listed in
 * its error): the retry deletes it outright, as the release would have.
 */
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
    const params = { params: { id: run.input.vmId } };
    const leftover = vm.state === 'failed' && memo.releaseOp !== undefined;
    op = (
      await agentCall(ctx, run, () =>
        leftover ? source.deleteVm(params) : source.releaseVm(params),
      )
    ).operation;
    await updateMemo(ctx, run.id, { releaseOp: op.id });
  }
  await followOperation(ctx, run, source, op);
}

/**
 * After the switch the VM is on the target whatever happens here, and the source's copy must
 * still go: the release is retried, with a growing pause, until it succeeds, whatever the
 * reason it failed (the source out of reach, a host command failing). The saga stays in this
 * step meanwhile, so a controller restart resumes the retries; each failure is recorded on
 * the operation (`warning`) and told as a `vm.warning` event. Only the source is ever asked:
 * the target's copy is the VM.
 */
export async function releaseOnSource(ctx: Ctx, run: MigrationRun): Promise<void> {
  for (;;) {
    await releaseRetryWait(ctx, run);
    if (run.signal.aborted) throw new Interrupted('the release is retried after a restart');
    try {
      await releaseOnce(ctx, run);
      const memo = await readMemo(ctx, run.id);
      if (memo.releaseRetry) {
        ctx.log.info(
          { saga_id: run.id, attempts: memo.releaseRetry.attempts + 1 },
          'the source released the VM after failed attempts',
        );
        await updateMemo(ctx, run.id, { releaseRetry: undefined });
      }
      return;
    } catch (error) {
      if (run.signal.aborted) throw new Interrupted('the release is retried after a restart');
      // The source host was removed from the fleet: nothing of the VM is left to ask it for.
      if (error instanceof VmOpError && error.code === 'host_missing') return;
      await releaseWillRetry(ctx, run, error);
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
