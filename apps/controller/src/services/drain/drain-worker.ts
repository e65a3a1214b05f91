import { and, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { recordAudit, systemActor } from '../audit/audit-log.js';

import { Interrupted, powerVmOnAgent } from '../envs/agent-vm-ops.js';
import { runOnEnv } from '../envs/env-lock.js';
import { type Lease, LeaseLost } from '../leases/lease.js';
import { loadDrainViews } from './drain-view.js';
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
      const view = (await loadDrainViews(ctx, [d])).get(d.id);
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
