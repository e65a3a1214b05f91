import { ApiError, type Host, type HostCapacity } from '@apiary/protocol';
import { desc, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { hosts } from '../../db/pg-schema.js';
import { iso, isoOrNull } from '../../lib/clock.js';
import { assertVisible, type Principal } from '../auth/principal.js';
import { loadDrainViews } from '../drain/drain-view.js';
import { hostTlsView } from './host-certificate.js';
import { credentialView } from './host-credential.js';
import { loadOrphanViews } from './orphan-view.js';

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

/**
 * Host views for a page of rows, with three extra queries whatever the page size. They do not
 * depend on each other: on PostgreSQL they run at once on connections of the pool (a page pays
 * one round trip for them, not three); on SQLite one after the other, as always.
 */
export async function toHostViews(ctx: Ctx, rows: HostRow[], viewer: Principal): Promise<Host[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [imagesByHost, { latestDrain, drainViews }, orphans] = await Promise.all([
    imagesOf(ctx, ids),
    latestDrains(ctx, rows, viewer),
    loadOrphanViews(ctx, ids),
  ]);
  const now = ctx.clock.now();
  return rows.map((h) => {
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
      images: (imagesByHost.get(h.id) ?? []).sort() as Host['images'],
      last_heartbeat_at: isoOrNull(heardAt ?? h.lastHeartbeatAt),
      registered_at: iso(h.registeredAt),
      drain: drainViews.get(latestDrain.get(h.id)?.id ?? '') ?? null,
      credential: credentialView(h, now),
      orphans: orphans.get(h.id) ?? [],
    };
  });
}

/** The digests of the images each host holds. */
async function imagesOf(ctx: Ctx, ids: string[]): Promise<Map<string, string[]>> {
  const { hostImages } = ctx.t;
  const imagesByHost = new Map<string, string[]>();
  for (const r of await ctx.db.select().from(hostImages).where(inArray(hostImages.hostId, ids))) {
    const list = imagesByHost.get(r.hostId) ?? [];
    list.push(r.digest);
    imagesByHost.set(r.hostId, list);
  }
  return imagesByHost;
}

/** Each host's latest drain, and the views of those shown (hosts not eligible). */
async function latestDrains(ctx: Ctx, rows: HostRow[], viewer: Principal) {
  const { drains } = ctx.t;
  const ids = rows.map((r) => r.id);
  const drainRows = await ctx.db
    .select()
    .from(drains)
    .where(inArray(drains.hostId, ids))
    .orderBy(desc(drains.startedAt));
  const latestDrain = new Map<string, (typeof drainRows)[number]>();
  for (const d of drainRows) if (!latestDrain.has(d.hostId)) latestDrain.set(d.hostId, d);
  const shown = rows
    .map((h) => (h.policy !== 'eligible' ? latestDrain.get(h.id) : undefined))
    .filter((d) => d !== undefined);
  return { latestDrain, drainViews: await loadDrainViews(ctx, shown, viewer) };
}

export async function getHostRow(ctx: Ctx, id: string): Promise<HostRow | undefined> {
  const { hosts } = ctx.t;
  return (await ctx.db.select().from(hosts).where(eq(hosts.id, id)))[0];
}

/** A host the caller may see, or 404 (also for other organizations' hosts). */
export async function getVisibleHost(ctx: Ctx, p: Principal, id: string): Promise<HostRow> {
  const row = await getHostRow(ctx, id);
  if (!row) throw new ApiError('not_found', `host ${id} not found`);
  assertVisible(p, row.orgId, `host ${id}`);
  return row;
}

export async function getHostView(ctx: Ctx, p: Principal, id: string): Promise<Host> {
  return (await toHostViews(ctx, [await getVisibleHost(ctx, p, id)], p))[0] as Host;
}
