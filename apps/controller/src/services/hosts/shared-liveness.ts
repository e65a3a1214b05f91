import { and, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { persistTransitions } from './persist-liveness.js';

/*
 * Several controllers on one PostgreSQL database: an agent heartbeats to whichever controller
 * its request reaches, so no controller alone hears every host. Each shares when it heard from
 * each host (`hosts.last_heartbeat_at`, only ever moved forward) at a steady pace, and takes
 * what the others heard before judging silence. A host is suspect or down only when no
 * controller has heard from it. One controller alone (SQLite) has nothing to share.
 */

/** Writes the heartbeats this controller received since the last call; one row each. */
export async function shareHeard(ctx: Ctx): Promise<number> {
  const { hosts } = ctx.t;
  const heard = ctx.liveness.takeHeard();
  if (heard.length === 0) return 0;
  const flushed = ctx.metrics.livenessFlushDuration.startTimer();
  for (const { hostId, heardAt } of heard) {
    await ctx.db
      .update(hosts)
      .set({ lastHeartbeatAt: heardAt })
      .where(
        and(
          eq(hosts.id, hostId),
          or(isNull(hosts.lastHeartbeatAt), lt(hosts.lastHeartbeatAt, heardAt)),
        ),
      );
  }
  flushed();
  return heard.length;
}

/** Takes what other controllers heard; hosts this one thought silent may be ready again. */
export async function takeHeardElsewhere(ctx: Ctx): Promise<void> {
  const { hosts } = ctx.t;
  const rows = await ctx.db
    .select({ id: hosts.id, heardAt: hosts.lastHeartbeatAt })
    .from(hosts)
    .where(isNotNull(hosts.lastHeartbeatAt));
  const back = [];
  for (const r of rows) {
    const transition = ctx.liveness.heardElsewhere(r.id, r.heardAt as number);
    if (transition) back.push(transition);
  }
  if (back.length > 0) await persistTransitions(ctx, back);
}

/**
 * Shares and takes, every `heartbeatTtlMs / 3`: what one controller heard reaches the others
 * within two periods, well before silence makes a host suspect. (SQLite: nothing to share.)
 */
export async function exchangeLiveness(ctx: Ctx): Promise<void> {
  if (ctx.engine !== 'postgres') return;
  await shareHeard(ctx);
  await takeHeardElsewhere(ctx);
}
