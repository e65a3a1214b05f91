import { count, eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { type AuditEntry, recordAudits, systemActor } from '../audit/audit-log.js';

import type { Transition } from './liveness-tracker.js';

/*
 * A sweep after a network partition or a power loss finds thousands of hosts silent at once:
 * their transitions are written a chunk per transaction (one commit per chunk on SQLite, not
 * one per host), and the chunk's audit records in one statement after it. A chunk is small
 * enough that the transaction holding SQLite's one connection stays short (placements and
 * heartbeat writes wait behind it).
 */
const CHUNK = 200;

/** Writes liveness changes (the only heartbeat-driven writes) and announces them. */
export async function persistTransitions(ctx: Ctx, transitions: Transition[]) {
  for (let i = 0; i < transitions.length; i += CHUNK) {
    await persistChunk(ctx, transitions.slice(i, i + CHUNK));
  }
}

async function persistChunk(ctx: Ctx, chunk: Transition[]) {
  const { hosts } = ctx.t;
  const now = ctx.clock.now();
  const written = await ctx.db.transaction(async (tx) => {
    const out: { t: Transition; orgId: string | null; hostname: string }[] = [];
    for (const t of chunk) {
      const row = (
        await tx
          .update(hosts)
          .set({ liveness: t.to, lastHeartbeatAt: ctx.liveness.heardAt(t.hostId), updatedAt: now })
          .where(eq(hosts.id, t.hostId))
          .returning({ orgId: hosts.orgId, hostname: hosts.hostname })
      )[0];
      // A host deleted meanwhile has nothing to record.
      if (row) out.push({ t, ...row });
    }
    return out;
  });
  // Announced once committed: nobody hears of a change that could still roll back.
  const audits: AuditEntry[] = [];
  for (const { t, orgId, hostname } of written) {
    ctx.metrics.livenessTransitions.inc({ to: t.to });
    ctx.log.info({ host_id: t.hostId, from: t.from, to: t.to }, 'host liveness changed');
    ctx.events.publish({
      type: 'host.liveness',
      orgId,
      data: { id: t.hostId, hostname, from: t.from, liveness: t.to },
    });
    audits.push({
      orgId,
      actor: systemActor('liveness'),
      action: `liveness.${t.to}`,
      resource: { kind: 'host', id: t.hostId },
      outcome: 'succeeded',
    });
  }
  await recordAudits(ctx, audits);
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
