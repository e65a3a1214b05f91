import { and, eq, inArray, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { recordAudit, systemActor } from '../audit/audit-log.js';

import { Interrupted, powerVmOnAgent } from '../envs/agent-vm-ops.js';
import { runOnEnv } from '../envs/env-lock.js';
import { type Lease, LeaseLost } from '../leases/lease.js';
import { advanceMoves, cancelWaiting, movesSettled } from './drain-moves.js';
import { type DrainRow, loadDrainViews } from './drain-view.js';
import { setPolicy } from './drains.js';

/** Stop attempts per VM before a `stop` drain gives up on it (it is then counted as failed). */
const MAX_STOP_ATTEMPTS = 3;

/**
 * One pass over running drains: at a `stop` drain's deadline, stop what is still running; when
 * every VM is stopped or gone, complete the drain and put the host in maintenance.
 */
export function createDrainWorker(ctx: Ctx) {
  const { drains, hosts, vms } = ctx.t;
  const attempts = new Map<string, number>();

  /** `lease`: the drain pass's, when it runs as one controller's singleton pass. */
  async function tick(lease?: Lease) {
    const fenced = (id: string) => and(eq(drains.id, id), lease?.fence());
    const active = await ctx.db.select().from(drains).where(eq(drains.state, 'draining'));
    for (const d of active) {
      if (d.mode === 'migrate') await advanceMigrateDrain(d, fenced(d.id));
      if (d.mode === 'stop' && d.deadline !== null && ctx.clock.now() >= d.deadline) {
        if (d.stopIssuedAt === null) {
          const issued = await ctx.db
            .update(drains)
            .set({ stopIssuedAt: ctx.clock.now() })
            .where(fenced(d.id))
            .returning({ id: drains.id });
          if (issued.length === 0) throw new LeaseLost('the drain pass');
        }
        await stopRemaining(d.id, d.vmIds);
      }
      // A `migrate` pass just wrote its moves: the view counts from them, not from `d`'s.
      const fresh =
        d.mode === 'migrate'
          ? (await ctx.db.select().from(drains).where(eq(drains.id, d.id)))[0]
          : undefined;
      const view = (await loadDrainViews(ctx, [fresh ?? d])).get(d.id);
      if (!view) continue;
      const orgId =
        (await ctx.db.select({ orgId: hosts.orgId }).from(hosts).where(eq(hosts.id, d.hostId)))[0]
          ?.orgId ?? null;
      ctx.events.publish({
        type: 'drain.progress',
        orgId,
        data: {
          host_id: d.hostId,
          remaining: view.vms_remaining,
          failed: view.vms_failed,
          total: view.vms_total,
        },
      });
      const onlyFailedLeft = view.vms_remaining > 0 && view.vms_remaining === view.vms_failed;
      if (fresh?.moves && onlyFailedLeft && movesSettled(fresh.moves)) {
        // Nothing more will move: the drain reports what it could not move instead of hanging.
        // A VM whose move was cancelled at the deadline still holds it up until it is stopped
        // (its stop is retried on the next passes, as a `stop` drain's).
        const ended = await ctx.db
          .update(drains)
          .set({ state: 'failed', finishedAt: ctx.clock.now() })
          .where(fenced(d.id))
          .returning({ id: drains.id });
        if (ended.length === 0) throw new LeaseLost('the drain pass');
        ctx.log.warn(
          { host_id: d.hostId, left: view.vms_remaining, failed: view.vms_failed },
          'migrate drain ended with VMs it could not move',
        );
        await recordAudit(ctx, {
          orgId,
          actor: systemActor('drain'),
          action: 'drain.complete',
          resource: { kind: 'host', id: d.hostId },
          outcome: 'failed',
          errorCode: 'drain_incomplete',
        });
        continue;
      }
      if (view.vms_remaining === 0) {
        const completed = await ctx.db
          .update(drains)
          .set({ state: 'complete', finishedAt: ctx.clock.now() })
          .where(fenced(d.id))
          .returning({ id: drains.id });
        if (completed.length === 0) throw new LeaseLost('the drain pass');
        await setPolicy(ctx, d.hostId, 'draining', 'maintenance', lease?.fence());
        ctx.log.info({ host_id: d.hostId }, 'drain complete; host in maintenance');
        await recordAudit(ctx, {
          orgId,
          actor: systemActor('drain'),
          action: 'drain.complete',
          resource: { kind: 'host', id: d.hostId },
          outcome: view.vms_failed > 0 ? 'failed' : 'succeeded',
          errorCode: view.vms_failed > 0 ? 'drain_incomplete' : null,
        });
      }
    }
  }

  /**
   * A `migrate` drain's pass: record moves that ended, start new ones up to `max_parallel`;
   * past the deadline, the moves not started are cancelled and those VMs stopped instead.
   */
  async function advanceMigrateDrain(d: DrainRow, fence: SQL | undefined) {
    let moves = await advanceMoves(ctx, d);
    const pastDeadline = d.deadline !== null && ctx.clock.now() >= d.deadline;
    if (pastDeadline) {
      moves = cancelWaiting(moves, 'not moved before the drain deadline: stopped instead');
    }
    const written = await ctx.db
      .update(drains)
      .set({
        moves,
        ...(pastDeadline && d.stopIssuedAt === null ? { stopIssuedAt: ctx.clock.now() } : {}),
      })
      .where(fence)
      .returning({ id: drains.id });
    if (written.length === 0) throw new LeaseLost('the drain pass');
    if (pastDeadline) {
      const cancelled = Object.entries(moves).filter(([, m]) => m.state === 'cancelled');
      await stopRemaining(
        d.id,
        cancelled.map(([id]) => id),
      );
    }
  }

  /** Stops VMs still running, each under its environment's lease; retried on later ticks. */
  async function stopRemaining(drainId: string, vmIds: string[]) {
    if (vmIds.length === 0) return;
    const rows = await ctx.db.select().from(vms).where(inArray(vms.id, vmIds));
    const todo = rows.filter((v) => ['running', 'starting', 'stopping'].includes(v.state));
    for (const vm of todo) {
      // Per drain: a new drain of the same host starts with fresh attempts.
      const key = `${drainId}/${vm.id}`;
      const n = attempts.get(key) ?? 0;
      if (n >= MAX_STOP_ATTEMPTS) continue;
      const started = await runOnEnv(
        ctx,
        vm.envId,
        'exclusive',
        async (hold) => {
          attempts.set(key, n + 1);
          await powerVmOnAgent(ctx, vm, 'stop', hold.signal);
        },
        (_name, e) => {
          if (!(e instanceof Interrupted))
            ctx.log.warn(
              {
                drain_id: drainId,
                vm_id: vm.id,
                error: String(e),
              },
              'drain could not stop a VM',
            );
        },
      );
      if (!started) ctx.log.debug({ vm_id: vm.id }, 'VM busy; drain retries later');
    }
  }

  return { tick };
}
