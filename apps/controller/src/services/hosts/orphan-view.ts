import type { HostOrphan } from '@apiary/protocol';
import { count, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { hostOrphans } from '../../db/schema.js';
import { iso, isoOrNull } from '../../lib/clock.js';

/** Each host's orphans as the host view shows them, in one query for a page of hosts. */
export function loadOrphanViews(ctx: Ctx, hostIds: string[]): Map<string, HostOrphan[]> {
  const byHost = new Map<string, HostOrphan[]>();
  if (hostIds.length === 0) return byHost;
  const rows = ctx.db
    .select()
    .from(hostOrphans)
    .where(inArray(hostOrphans.hostId, hostIds))
    .orderBy(hostOrphans.vmId)
    .all();
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
export function countOrphans(ctx: Ctx): Record<string, number> {
  const rows = ctx.db
    .select({ apiary: hostOrphans.apiary, n: count() })
    .from(hostOrphans)
    .groupBy(hostOrphans.apiary)
    .all();
  return Object.fromEntries(rows.map((r) => [r.apiary ? 'apiary' : 'foreign', r.n]));
}
