import { count, eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { recordAudit, systemActor } from '../audit/audit-log.js';

import type { Transition } from './liveness-tracker.js';

/** Writes liveness changes (the only heartbeat-driven writes) and announces them. */
export async function persistTransitions(ctx: Ctx, transitions: Transition[]) {
  const { hosts } = ctx.t;
  const now = ctx.clock.now();
  for (const t of transitions) {
    const row = (
      await ctx.db
        .update(hosts)
        .set({ liveness: t.to, lastHeartbeatAt: ctx.liveness.heardAt(t.hostId), updatedAt: now })
        .where(eq(hosts.id, t.hostId))
        .returning({ orgId: hosts.orgId, hostname: hosts.hostname })
    )[0];
    if (!row) continue;
    ctx.metrics.livenessTransitions.inc({ to: t.to });
    ctx.log.info({ host_id: t.hostId, from: t.from, to: t.to }, 'host liveness changed');
    ctx.events.publish({
      type: 'host.liveness',
      orgId: row.orgId,
      data: { id: t.hostId, hostname: row.hostname, from: t.from, liveness: t.to },
    });
    await recordAudit(ctx, {
      orgId: row.orgId,
      actor: systemActor('liveness'),
      action: `liveness.${t.to}`,
      resource: { kind: 'host', id: t.hostId },
      outcome: 'succeeded',
    });
  }
}

/** Hosts by liveness and policy, for `/metrics` (computed at scrape time). */
export async function countHosts(ctx: Ctx) {
  const { hosts } = ctx.t;
  const policy: Record<string, number> = { eligible: 0, draining: 0, maintenance: 0 };
  for (const r of await ctx.db
    .select({ policy: hosts.policy, n: count() })
    .from(hosts)
    .groupBy(hosts.policy)) {
    policy[r.policy] = r.n;
  }
  return { liveness: ctx.liveness.counts(), policy };
}
