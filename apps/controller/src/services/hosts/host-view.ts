import { ApiError, type Drain, type Host, type HostCapacity } from '@apiary/protocol';
import { eq, getTableColumns, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { hosts } from '../../db/pg-schema.js';
import { param, statement } from '../../db/prepared-statement.js';
import { iso, isoOrNull } from '../../lib/clock.js';
import { assertVisible, type Principal } from '../auth/principal.js';
import { loadDrainViews } from '../drain/drain-view.js';
import { hostTlsView } from './host-certificate.js';
import { credentialView } from './host-credential.js';
import { type HostFactsColumns, hostFactsColumns, readHostFacts } from './host-facts.js';

export type HostRow = typeof hosts.$inferSelect;

/** Reserved = our reservations plus what the host uses for VMs we did not place. */
export function capacityOf(h: HostRow): HostCapacity {
  const total = { cpu: h.totalCpu, mem: h.totalMem, disk: h.totalDisk };
  const reserved = {
    cpu: h.reservedCpu + h.foreignCpu,
    mem: h.reservedMem + h.foreignMem,
    disk: h.reservedDisk + h.foreignDisk,
  };
  const free = {
    cpu: Math.max(0, total.cpu - reserved.cpu),
    mem: Math.max(0, total.mem - reserved.mem),
    disk: Math.max(0, total.disk - reserved.disk),
  };
  return { total, reserved, free };
}

/** What a host view is built from: its row, and the facts `hostViewColumns` selects with it. */
export type HostRowWithFacts = HostRow & HostFactsColumns;

/**
 * The columns to select for host views: the host's, and what its view shows from other tables
 * (host-facts.ts), so that a page of hosts is one statement.
 */
export function hostViewColumns(ctx: Ctx) {
  return { ...getTableColumns(ctx.t.hosts), ...hostFactsColumns(ctx) };
}

/**
 * Host views. The drains shown (those of hosts not eligible) need one more read, and only when
 * there are any.
 */
export async function toHostViews(
  ctx: Ctx,
  rows: HostRowWithFacts[],
  viewer: Principal,
): Promise<Host[]> {
  const withFacts = rows.map((h) => ({ h, facts: readHostFacts(h) }));
  const drainViews = await shownDrains(
    ctx,
    withFacts.flatMap(({ facts }) => (facts.latestDrainId ? [facts.latestDrainId] : [])),
    viewer,
  );
  const now = ctx.clock.now();
  return withFacts.map(({ h, facts }) => {
    const heardAt = ctx.liveness.heardAt(h.id);
    return {
      id: h.id,
      hostname: h.hostname,
      addr: h.addr,
      tls: hostTlsView(h),
      public_addr: h.publicAddr,
      org_id: h.orgId,
      source: h.source,
      liveness: ctx.liveness.state(h.id) ?? h.liveness,
      policy: h.policy,
      engines: h.engines as Host['engines'],
      storage: h.storage,
      agent_version: h.agentVersion,
      api_version: h.apiVersion,
      capacity: capacityOf(h),
      usage: h.usage ?? null,
      vm_count: h.vmCount,
      images: facts.images as Host['images'],
      last_heartbeat_at: isoOrNull(heardAt ?? h.lastHeartbeatAt),
      registered_at: iso(h.registeredAt),
      drain: drainViews.get(facts.latestDrainId ?? '') ?? null,
      credential: credentialView(h, now),
      orphans: facts.orphans,
    };
  });
}

/** The views of these drains, by id. */
async function shownDrains(ctx: Ctx, ids: string[], viewer: Principal) {
  const { drains } = ctx.t;
  if (ids.length === 0) return new Map<string, Drain>();
  const rows = await ctx.db.select().from(drains).where(inArray(drains.id, ids));
  return await loadDrainViews(ctx, rows, viewer);
}

export async function getHostRow(ctx: Ctx, id: string): Promise<HostRow | undefined> {
  return (await hostById.run(ctx, { id }))[0];
}

/* Read at every call to an agent and request about a host: prepared once. */
const hostById = statement('host_by_id', (db, { hosts }) =>
  db
    .select()
    .from(hosts)
    .where(eq(hosts.id, param('id'))),
);

/** A host the caller may see, or 404 (also for other organizations' hosts). */
export async function getVisibleHost(ctx: Ctx, p: Principal, id: string): Promise<HostRow> {
  return visibleOr404(p, id, await getHostRow(ctx, id));
}

function visibleOr404<R extends { orgId: string | null }>(p: Principal, id: string, row?: R): R {
  if (!row) throw new ApiError('not_found', `host ${id} not found`);
  assertVisible(p, row.orgId, `host ${id}`);
  return row;
}

/** The view of a host the caller may see, or 404 (also for other organizations' hosts). */
export async function getHostView(ctx: Ctx, p: Principal, id: string): Promise<Host> {
  const { hosts } = ctx.t;
  const rows = await ctx.db.select(hostViewColumns(ctx)).from(hosts).where(eq(hosts.id, id));
  return (await toHostViews(ctx, [visibleOr404(p, id, rows[0])], p))[0] as Host;
}
