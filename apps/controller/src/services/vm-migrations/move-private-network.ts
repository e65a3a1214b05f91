import type { Ctx } from '../../context.js';
import { syncEnvOverlays } from '../envs/env-overlays.js';
import { getEnvRow } from '../envs/env-view.js';
import type { MigrationRun } from './migration-agents.js';

/**
 * After the switch and the source's release, the environment's private network (issue 14)
 * follows the VM: the target gets the overlay with the whole mapping (the VM's entry now points
 * at the target's underlay), every other host of the environment learns the new mapping, and
 * the source loses its overlay when no VM of the environment is left there. The VM keeps its
 * private address and MAC (both are on its row, derived from the VNI and the address).
 *
 * The VM is on the target whatever happens here, so a failure does not fail the migration: it
 * is logged, and the environment's next change or delete brings the overlays in step again.
 */
export async function movePrivateNetwork(ctx: Ctx, run: MigrationRun): Promise<void> {
  const env = await getEnvRow(ctx, run.input.envId);
  if (!env || env.vni === null) return;
  try {
    await syncEnvOverlays(ctx, env);
  } catch (error) {
    ctx.log.warn(
      { env_id: env.id, vm_id: run.input.vmId, error: String(error) },
      'the private network did not follow the moved VM; the next environment change retries',
    );
  }
}
