import type { HeartbeatReq, HeartbeatResp } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { applyInventory, publishVmChanges } from './apply-inventory.js';
import { issueRotatedCredential, promoteNextCredential } from './host-credential.js';
import { recordUsage } from './host-usage.js';
import type { CredentialMatch } from './liveness-tracker.js';
import { persistTransitions } from './persist-liveness.js';

/**
 * A heartbeat (the host credential was checked by the route). With nothing new (same
 * generation, host already ready, no rotation, no usage summary) it touches memory only.
 */
export async function heartbeat(
  ctx: Ctx,
  { hostId, credential }: { hostId: string; credential: CredentialMatch },
  req: HeartbeatReq,
): Promise<HeartbeatResp> {
  // Rotation: the agent used the new credential, so it has it; or it is due one.
  let rotated: string | undefined;
  if (credential === 'next') await promoteNextCredential(ctx, hostId);
  else if (ctx.liveness.rotationDue(hostId)) rotated = await issueRotatedCredential(ctx, hostId);
  const transition = ctx.liveness.seen(hostId);
  if (transition) await persistTransitions(ctx, [transition]);
  // The agent sends a summary only when it moved past its thresholds: each one is news.
  if (req.usage) await recordUsage(ctx, hostId, req.usage);
  if (req.inventory && !(await acknowledged(ctx, hostId, req.inventory.generation))) {
    const inv = req.inventory;
    const changes = await ctx.db.transaction(async (tx) =>
      applyInventory(ctx, tx, ctx.clock.now(), hostId, inv),
    );
    ctx.liveness.setAckGeneration(hostId, inv.generation);
    publishVmChanges(ctx, hostId, changes);
    ctx.metrics.heartbeats.inc({ result: 'inventory' });
  } else {
    ctx.metrics.heartbeats.inc({ result: 'ok' });
  }
  return {
    next_heartbeat_ms: ctx.liveness.nextHeartbeatMs(),
    ack_generation: ctx.liveness.ackGeneration(hostId),
    ...(rotated ? { host_credential: rotated } : {}),
  };
}

/**
 * Whether the inventory of `generation` is the one already applied: by this controller (in
 * memory), or by another controller sharing the database (its last apply wrote the generation).
 */
async function acknowledged(ctx: Ctx, hostId: string, generation: number): Promise<boolean> {
  if (generation === ctx.liveness.ackGeneration(hostId)) return true;
  if (ctx.engine !== 'postgres') return false;
  const { hosts } = ctx.t;
  const [row] = await ctx.db
    .select({ generation: hosts.inventoryGeneration })
    .from(hosts)
    .where(eq(hosts.id, hostId));
  if (row?.generation !== generation) return false;
  ctx.liveness.setAckGeneration(hostId, generation);
  return true;
}

/** Clean agent shutdown: the host is down at once; its VMs stay, shown as unknown. */
export async function deregisterHost(ctx: Ctx, hostId: string, reason?: string) {
  const transition = ctx.liveness.markDown(hostId);
  if (transition) await persistTransitions(ctx, [transition]);
  ctx.log.info({ host_id: hostId, reason: reason ?? null }, 'host deregistered');
  return { ok: true as const };
}
