import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { syncEnvOverlays } from '../envs/env-overlays.js';
import { getEnvRow } from '../envs/env-view.js';

/*
 * A clone on its environment's private network (issue 15): the overlay must be on the host with
 * the clone's entry before the agent makes its NIC on it, and the entry goes again when the
 * clone does not happen. The clone's row (its address, its host) is the truth for both.
 */

async function cloneEnvOf(ctx: Ctx, cloneId: string) {
  const { vms } = ctx.t;
  const row = (
    await ctx.db
      .select({ envId: vms.envId, privateIp: vms.privateIp })
      .from(vms)
      .where(eq(vms.id, cloneId))
  )[0];
  return row?.privateIp ? getEnvRow(ctx, row.envId) : undefined;
}

/** Before the clone is sent: its environment's overlay on the host, mapping it. */
export async function overlayForClone(ctx: Ctx, cloneId: string): Promise<void> {
  const env = await cloneEnvOf(ctx, cloneId);
  if (env) await syncEnvOverlays(ctx, env);
}

/**
 * Drops the clone's row with `drop`, then brings the overlays in step without it (a host
 * left with no VM of the environment loses the overlay).
 */
export async function withoutClone(
  ctx: Ctx,
  cloneId: string,
  drop: () => Promise<void>,
): Promise<void> {
  const env = await cloneEnvOf(ctx, cloneId);
  await drop();
  if (env) await syncEnvOverlays(ctx, (await getEnvRow(ctx, env.id)) ?? env);
}
