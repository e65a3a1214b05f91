import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { hosts } from '../../db/schema.js';
import type { Transition } from './liveness-tracker.js';

/** Writes liveness changes (the only heartbeat-driven writes) and announces them. */
export function persistTransitions(ctx: Ctx, transitions: Transition[]) {
  const now = ctx.clock.now();
  for (const t of transitions) {
    const row = ctx.db
      .update(hosts)
      .set({ liveness: t.to, lastHeartbeatAt: ctx.liveness.heardAt(t.hostId), updatedAt: now })
      .where(eq(hosts.id, t.hostId))
      .returning({ orgId: hosts.orgId, hostname: hosts.hostname })
      .get();
    if (!row) continue;
    ctx.metrics.livenessTransitions.inc({ to: t.to });
    ctx.log.info('host liveness changed', { host_id: t.hostId, from: t.from, to: t.to });
    ctx.events.publish({
      type: 'host.liveness',
      orgId: row.orgId,
      data: { id: t.hostId, hostname: row.hostname, from: t.from, liveness: t.to },
    });
  }
  refreshHostGauges(ctx);
}

/** Hosts by liveness and policy, for `/metrics`. */
export function refreshHostGauges(ctx: Ctx) {
  const counts = ctx.liveness.counts();
  for (const [state, n] of Object.entries(counts)) ctx.metrics.hostsByState.liveness.set(state, n);
  const policies = ctx.db
    .select({ policy: hosts.policy })
    .from(hosts)
    .all()
    .reduce((m, r) => m.set(r.policy, (m.get(r.policy) ?? 0) + 1), new Map<string, number>());
  ctx.metrics.hostsByState.policy.clear();
  for (const p of ['eligible', 'draining', 'maintenance']) {
    ctx.metrics.hostsByState.policy.set(p, policies.get(p) ?? 0);
  }
}
