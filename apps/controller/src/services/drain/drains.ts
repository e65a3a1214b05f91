import { ApiError, type Drain, type DrainReq, type Host } from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, desc, eq, ne, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import { type Principal, requireRole } from '../auth/principal.js';
import { getHostView, getVisibleHost } from '../hosts/host-view.js';
import { cancelWaiting, currentMoves } from './drain-moves.js';
import { type DrainRow, loadDrainViews } from './drain-view.js';

async function latestDrain(ctx: Ctx, hostId: string): Promise<DrainRow | undefined> {
  const { drains } = ctx.t;
  return (
    await ctx.db
      .select()
      .from(drains)
      .where(eq(drains.hostId, hostId))
      .orderBy(desc(drains.startedAt))
  )[0];
}

export async function drainView(ctx: Ctx, row: DrainRow, viewer: Principal): Promise<Drain> {
  return (await loadDrainViews(ctx, [row], viewer)).get(row.id) as Drain;
}

async function setPolicy(
  ctx: Ctx,
  hostId: string,
  from: Host['policy'],
  to: Host['policy'],
  fence?: SQL,
): Promise<boolean> {
  const { hosts } = ctx.t;
  const row = (
    await ctx.db
      .update(hosts)
      .set({ policy: to, updatedAt: ctx.clock.now() })
      .where(and(eq(hosts.id, hostId), eq(hosts.policy, from), fence))
      .returning({ orgId: hosts.orgId })
  )[0];
  if (!row) return false;
  ctx.events.publish({ type: 'host.policy', orgId: row.orgId, data: { id: hostId, policy: to } });
  return true;
}

/**
 * Starts a drain: no new placements from now on; the VMs on the host now are the ones the drain
 * waits for (`wait`) or stops at the deadline (`stop`).
 */
export async function startDrain(
  ctx: Ctx,
  p: Principal,
  hostId: string,
  req: DrainReq,
  kick: () => void,
): Promise<Drain> {
  const { drains, hosts, vms } = ctx.t;
  requireRole(p, 'org_admin', 'draining a host');
  const host = await getVisibleHost(ctx, p, hostId);
  if (host.policy !== 'eligible') {
    throw new ApiError(
      'conflict',
      host.policy === 'draining'
        ? `host ${hostId} is already draining`
        : `host ${hostId} is in maintenance: activate it first`,
    );
  }
  const now = ctx.clock.now();
  const vmIds = (
    await ctx.db
      .select({ id: vms.id })
      .from(vms)
      .where(and(eq(vms.hostId, hostId), ne(vms.state, 'deleted')))
  ).map((v) => v.id);
  const row: DrainRow = {
    id: newId('drain'),
    hostId,
    mode: req.mode,
    state: 'draining',
    deadline:
      req.deadline_seconds !== undefined
        ? now + req.deadline_seconds * 1000
        : req.mode === 'stop'
          ? now
          : null,
    startedAt: now,
    finishedAt: null,
    vmIds,
    stopIssuedAt: null,
    maxParallel: req.mode === 'migrate' ? (req.max_parallel ?? 1) : null,
    moves:
      req.mode === 'migrate'
        ? Object.fromEntries(vmIds.map((id) => [id, { state: 'waiting' as const }]))
        : null,
  };
  const ok = await ctx.db.transaction(async (tx) => {
    const changed = await tx
      .update(hosts)
      .set({ policy: 'draining', updatedAt: now })
      .where(and(eq(hosts.id, hostId), eq(hosts.policy, 'eligible')))
      .returning({ id: hosts.id });
    if (changed.length !== 1) return false;
    await tx.insert(drains).values(row);
    return true;
  });
  if (!ok)
    throw new ApiError('conflict', `host ${hostId} changed meanwhile; try again`, {
      retryable: true,
    });
  ctx.events.publish({
    type: 'host.policy',
    orgId: host.orgId,
    data: { id: hostId, policy: 'draining' },
  });
  ctx.log.info({ host_id: hostId, mode: req.mode, vms: vmIds.length }, 'drain started');
  kick();
  return drainView(ctx, row, p);
}

export async function getDrainStatus(ctx: Ctx, p: Principal, hostId: string): Promise<Drain> {
  await getVisibleHost(ctx, p, hostId);
  const row = await latestDrain(ctx, hostId);
  if (!row) throw new ApiError('not_found', `host ${hostId} has never been drained`);
  return drainView(ctx, row, p);
}

/**
 * Cancels a running drain: the host is eligible again and nothing else is stopped; a
 * `migrate` drain's moves not started yet are cancelled.
 */
export async function undrainHost(ctx: Ctx, p: Principal, hostId: string): Promise<Host> {
  const { drains } = ctx.t;
  requireRole(p, 'org_admin', 'cancelling a drain');
  const host = await getVisibleHost(ctx, p, hostId);
  if (host.policy === 'maintenance') {
    throw new ApiError('conflict', `the drain of ${hostId} is complete: use activate`);
  }
  if (host.policy === 'draining') {
    const row = await latestDrain(ctx, hostId);
    if (row?.state === 'draining') {
      // Moves not started are cancelled; running ones finish or roll back by themselves.
      const moves = row.moves
        ? cancelWaiting(await currentMoves(ctx, row), 'the drain was cancelled')
        : null;
      await ctx.db
        .update(drains)
        .set({ state: 'cancelled', finishedAt: ctx.clock.now(), moves })
        .where(eq(drains.id, row.id));
    }
    await setPolicy(ctx, hostId, 'draining', 'eligible');
    ctx.log.info({ host_id: hostId }, 'drain cancelled');
  }
  return getHostView(ctx, p, hostId);
}

/** Maintenance back to eligible. */
export async function activateHost(ctx: Ctx, p: Principal, hostId: string): Promise<Host> {
  requireRole(p, 'org_admin', 'activating a host');
  const host = await getVisibleHost(ctx, p, hostId);
  if (host.policy === 'draining') {
    throw new ApiError(
      'conflict',
      `host ${hostId} is still draining: undrain it, or wait for the drain to complete`,
    );
  }
  if (host.policy === 'maintenance') await setPolicy(ctx, hostId, 'maintenance', 'eligible');
  return getHostView(ctx, p, hostId);
}

export { setPolicy };
