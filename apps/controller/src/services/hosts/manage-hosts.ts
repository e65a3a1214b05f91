import {
  ApiError,
  type Host,
  type HostLiveness,
  type HostPolicy,
  type Pagination,
  type UpdateHostReq,
} from '@apiary/protocol';
import { and, count, eq, ne, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { hosts } from '../../db/pg-schema.js';
import { getOrg } from '../auth/orgs.js';
import { orgFilter, type Principal, requireRole } from '../auth/principal.js';
import { getHostView, getVisibleHost, hostViewColumns, toHostViews } from './host-view.js';

export async function listHosts(
  ctx: Ctx,
  p: Principal,
  q: Pagination & { liveness?: HostLiveness; policy?: HostPolicy },
) {
  const { hosts } = ctx.t;
  const org = orgFilter(p);
  const conds: SQL[] = [];
  if (org !== undefined) conds.push(eq(hosts.orgId, org));
  if (q.liveness) conds.push(eq(hosts.liveness, q.liveness));
  if (q.policy) conds.push(eq(hosts.policy, q.policy));
  const where = conds.length > 0 ? and(...conds) : undefined;
  // The page and the facts of its hosts in one statement (host-facts.ts). The count of every
  // matching host is kept until the hosts change, as the environments page keeps its own (and
  // like it, after another controller's write only once that controller's notice arrived).
  const [rows, total] = await Promise.all([
    ctx.db
      .select(hostViewColumns(ctx))
      .from(hosts)
      .where(where)
      .orderBy(hosts.hostname, hosts.id)
      .limit(q.limit)
      .offset(q.offset),
    ctx.listTotals.get(
      `hosts-total:${JSON.stringify([org, q.liveness, q.policy])}`,
      ['hosts'],
      async () => (await ctx.db.select({ n: count() }).from(hosts).where(where))[0]?.n ?? 0,
    ),
  ]);
  return { items: await toHostViews(ctx, rows, p), total, limit: q.limit, offset: q.offset };
}

/** Organization changes are for super-admins; the public address for the host's org admins. */
export async function updateHost(
  ctx: Ctx,
  p: Principal,
  id: string,
  req: UpdateHostReq,
): Promise<Host> {
  const { hosts, vms } = ctx.t;
  requireRole(p, 'org_admin', 'changing a host');
  const row = await getVisibleHost(ctx, p, id);
  const patch: Partial<typeof hosts.$inferInsert> = { updatedAt: ctx.clock.now() };
  if (req.org_id !== undefined && req.org_id !== row.orgId) {
    requireRole(p, 'super_admin', 'assigning a host to an organization');
    if (req.org_id !== null) await getOrg(ctx, req.org_id);
    const live =
      (
        await ctx.db
          .select({ n: count() })
          .from(vms)
          .where(and(eq(vms.hostId, id), ne(vms.state, 'deleted')))
      )[0]?.n ?? 0;
    if (live > 0)
      throw new ApiError('conflict', `host ${id} still runs ${live} VMs of its organization`);
    patch.orgId = req.org_id;
  }
  if (req.public_addr !== undefined) patch.publicAddr = req.public_addr;
  await ctx.db.update(hosts).set(patch).where(eq(hosts.id, id));
  ctx.events.publish({ type: 'host.updated', orgId: patch.orgId ?? row.orgId, data: { id } });
  return getHostView(ctx, p, id);
}

/** Refused while the controller still knows VMs on the host: they would be forgotten. */
export async function removeHost(ctx: Ctx, p: Principal, id: string) {
  const { hosts, vms } = ctx.t;
  requireRole(p, 'org_admin', 'removing a host');
  const row = await getVisibleHost(ctx, p, id);
  const live =
    (
      await ctx.db
        .select({ n: count() })
        .from(vms)
        .where(and(eq(vms.hostId, id), ne(vms.state, 'deleted')))
    )[0]?.n ?? 0;
  if (live > 0) {
    throw new ApiError(
      'conflict',
      `host ${id} still has ${live} VMs: delete their environments or drain it first`,
    );
  }
  await ctx.db.delete(hosts).where(eq(hosts.id, id));
  ctx.liveness.forget(id);
  ctx.log.info({ host_id: id }, 'host removed');
  ctx.events.publish({ type: 'host.removed', orgId: row.orgId, data: { id } });
  return { ok: true as const };
}
