import type { HostOrphan } from '@apiary/protocol';
import { count, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import { iso, isoOrNull } from '../../lib/clock.js';

/** Each host's orphans as the host view shows them, in one query for a page of hosts. */
export async function loadOrphanViews(
  ctx: Ctx,
  hostIds: string[],
): Promise<Map<string, HostOrphan[]>> {
  const { hostOrphans } = ctx.t;
  const byHost = new Map<string, HostOrphan[]>();
  if (hostIds.length === 0) return byHost;
  const rows = await ctx.db
    .select()
    .from(hostOrphans)
    .where(inArray(hostOrphans.hostId, hostIds))
    .orderBy(hostOrphans.vmId);
  for (const r of rows) {
    const list = byHost.get(r.hostId) ?? [];
    list.push({
      id: r.vmId,
      apiary: r.apiary,
      zone_state: r.zoneState,
      holds: r.holds,
      first_seen_at: iso(r.firstSeenAt),
      last_seen_at: iso(r.lastSeenAt),
      removal_requested_at: isoOrNull(r.removalAt),
      removal_error: r.removalError,
    });
    byHost.set(r.hostId, list);
  }
  return byHost;
}

/** Orphans by kind, for the metric. */
export async function countOrphans(ctx: Ctx): Promise<Record<string, number>> {
  const { hostOrphans } = ctx.t;
  const rows = await ctx.db
    .select({ apiary: hostOrphans.apiary, n: count() })
    .from(hostOrphans)
    .groupBy(hostOrphans.apiary);
  return Object.fromEntries(rows.map((r) => [r.apiary ? 'apiary' : 'foreign', r.n]));
}
