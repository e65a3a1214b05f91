import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { powerVmOnAgent } from '../envs/agent-vm-ops.js';
import { VmOpError } from '../envs/vm-op-error.js';
import { agentVmOrNull, type MigrationRun, sourceOf } from './migration-agents.js';
import { readMemo, updateMemo } from './migration-memo.js';

async function sourcePower(ctx: Ctx, run: MigrationRun, action: 'stop' | 'start') {
  const source = await sourceOf(ctx, run);
  const vm = await agentVmOrNull(source, run.input.vmId);
  if (!vm) throw new VmOpError('zone_missing', `VM ${run.input.vmName} is gone from its host`);
  const want = action === 'stop' ? 'stopped' : 'running';
  if (vm.state === want) return vm.state;
  const { vms } = ctx.t;
  const row = (await ctx.db.select().from(vms).where(eq(vms.id, run.input.vmId)))[0];
  if (!row) throw new VmOpError('conflict', `VM ${run.input.vmName} is gone`);
  // What the host says decides (a heartbeat may not have told the row yet).
  await powerVmOnAgent(ctx, { ...row, state: vm.state }, action, run.signal);
  return vm.state;
}

/**
 * Stops the VM on the source for the last copy. Whether it ran (so the target starts it) and
 * when it stopped (downtime) are recorded before the stop, once: a resumed step keeps them.
 */
export async function stopOnSource(ctx: Ctx, run: MigrationRun): Promise<void> {
  const memo = await readMemo(ctx, run.id);
  if (memo.wasRunning === undefined) {
    const source = await sourceOf(ctx, run);
    const vm = await agentVmOrNull(source, run.input.vmId);
    if (!vm) throw new VmOpError('zone_missing', `VM ${run.input.vmName} is gone from its host`);
    await updateMemo(ctx, run.id, {
      wasRunning: vm.state === 'running',
      stoppedAt: ctx.clock.now(),
    });
  }
  await sourcePower(ctx, run, 'stop');
}

/** The undo: a VM that ran on the source runs there again (until the switch, it is the VM). */
export async function restartOnSource(ctx: Ctx, run: MigrationRun): Promise<void> {
  const memo = await readMemo(ctx, run.id);
  if (!memo.wasRunning || memo.switched) return;
  await sourcePower(ctx, run, 'start');
}
