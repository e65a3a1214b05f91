import { inArray, isNotNull, type SQL, sql } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { credentialHashesOf } from './host-credential.js';
import { persistTransitions } from './persist-liveness.js';

/*
 * Several controllers on one PostgreSQL database: an agent heartbeats to whichever controller
 * its request reaches, so no controller alone hears every host. Each shares when it heard from
 * each host (`hosts.last_heartbeat_at`, only ever moved forward) at a steady pace, and takes
 * what the others heard before judging silence. A host is suspect or down only when no
 * controller has heard from it. One controller alone (SQLite) has nothing to share.
 */

/** Hosts per statement: two parameters each, well under PostgreSQL's 65,535. */
const HOSTS_PER_STATEMENT = 10_000;

/**
 * Writes when this controller heard from each host since the last call: one statement for all
 * of them (a CASE on the host id), never a write per heartbeat, and only ever forward. Returns
 * how many hosts it shared.
 *
 * It never waits for a host row another transaction holds (a placement reserving on it): such
 * a host is skipped (`SKIP LOCKED`) and shared at the next call instead. Waiting would be worse
 * than late: one statement over every host takes the row locks one by one, and while it waits
 * for one placement it holds all the rows it already has, so every placement on those hosts
 * queues behind it; and a placement that locks two hosts in the other order deadlocks with it
 * (found only after PostgreSQL's deadlock_timeout, 1 s). Issue 18: creates stalled for seconds.
 */
export async function shareHeard(ctx: Ctx): Promise<number> {
  const { hosts } = ctx.t;
  const heard = ctx.liveness.takeHeard();
  if (heard.length === 0) return 0;
  const flushed = ctx.metrics.livenessFlushDuration.startTimer();
  let shared = 0;
  for (let i = 0; i < heard.length; i += HOSTS_PER_STATEMENT) {
    const batch = heard.slice(i, i + HOSTS_PER_STATEMENT);
    const cases: SQL[] = batch.map((h) => sql`WHEN ${h.hostId} THEN CAST(${h.heardAt} AS BIGINT)`);
    const heardAt = sql`(CASE ${hosts.id} ${sql.join(cases, sql` `)} END)`;
    const ids = batch.map((h) => h.hostId);
    // The same lock an UPDATE of these columns takes (not FOR UPDATE, which would also wait
    // for the key-share locks of VM rows being inserted for the host). SQLite has no row locks
    // (one connection, one transaction at a time): there nothing is skipped.
    const free =
      ctx.engine === 'postgres'
        ? ctx.db
            .select({ id: hosts.id })
            .from(hosts)
            .where(inArray(hosts.id, ids))
            .for('no key update', { skipLocked: true })
        : ids;
    const written = await ctx.db
      .update(hosts)
      .set({
        lastHeartbeatAt: sql`CASE WHEN ${hosts.lastHeartbeatAt} IS NULL OR ${hosts.lastHeartbeatAt} < ${heardAt} THEN ${heardAt} ELSE ${hosts.lastHeartbeatAt} END`,
      })
      .where(inArray(hosts.id, free))
      .returning({ id: hosts.id });
    const done = new Set(written.map((r) => r.id));
    for (const h of batch) {
      if (done.has(h.hostId)) shared++;
      else ctx.liveness.shareLater(h.hostId, h.heardAt);
    }
  }
  flushed();
  return shared;
}

/**
 * Takes what other controllers heard (hosts this one thought silent may be ready again) and
 * the inventory generation the last of them acknowledged, so an agent switching controllers
 * is not asked for an inventory it already gave.
 */
export async function takeHeardElsewhere(ctx: Ctx): Promise<void> {
  const { hosts } = ctx.t;
  const rows = await ctx.db
    .select({
      id: hosts.id,
      liveness: hosts.liveness,
      heardAt: hosts.lastHeartbeatAt,
      generation: hosts.inventoryGeneration,
      credentialHash: hosts.credentialHash,
      nextCredentialHash: hosts.nextCredentialHash,
      credentialRotateAt: hosts.credentialRotateAt,
    })
    .from(hosts)
    .where(isNotNull(hosts.lastHeartbeatAt));
  const back = [];
  for (const r of rows) {
    // Registered through another controller since this one started: known here from now on.
    if (!ctx.liveness.has(r.id)) {
      ctx.liveness.load([{ ...r, inventoryGeneration: r.generation, lastHeartbeatAt: r.heardAt }]);
    }
    const transition = ctx.liveness.heardElsewhere(r.id, r.heardAt as number);
    if (transition) back.push(transition);
    ctx.liveness.setAckGeneration(r.id, r.generation);
    // A rotation or a revocation made through another controller holds here too.
    ctx.liveness.setCredentials(r.id, credentialHashesOf(r));
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
