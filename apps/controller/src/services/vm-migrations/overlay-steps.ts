import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { syncEnvOverlays } from '../envs/env-overlays.js';
import { getEnvRow } from '../envs/env-view.js';
import { hostsOf, type MigrationRun } from './migration-agents.js';

/*
 * A VM on its environment's private network moving (issue 15): the target needs the overlay
 * (recorded in env_overlay_hosts) before its import makes the VM's NIC on it; once the source
 * released the VM, the mapping names the target for the VM's MAC and a source left with no VM
 * of the environment loses the overlay. An undone move brings the overlays back in step the
 * same way (the target, without the VM, loses what it was given).
 */

async function overlayEnvOf(ctx: Ctx, run: MigrationRun) {
  const { vms } = ctx.t;
  const row = (
    await ctx.db.select({ privateIp: vms.privateIp }).from(vms).where(eq(vms.id, run.input.vmId))
  )[0];
  const env = await getEnvRow(ctx, run.input.envId);
  return row?.privateIp && env?.vni != null ? env : undefined;
}

/** Before the import: the environment's overlay on the target too. */
export async function overlayOnTarget(ctx: Ctx, run: MigrationRun): Promise<void> {
  const env = await overlayEnvOf(ctx, run);
  if (env) await syncEnvOverlays(ctx, env, { arriving: [hostsOf(run).to] });
}

/** After the release (or the undo of the import): the overlays where the VMs are. */
export async function overlayFollowsVm(ctx: Ctx, run: MigrationRun): Promise<void> {
  const env = await overlayEnvOf(ctx, run);
  if (env) await syncEnvOverlays(ctx, env);
}
