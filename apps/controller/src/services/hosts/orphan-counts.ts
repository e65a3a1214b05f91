import { count } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

/** Orphans by kind, for the metric. (A host view's orphans are read with it: host-facts.ts.) */
export async function countOrphans(ctx: Ctx): Promise<Record<string, number>> {
  const { hostOrphans } = ctx.t;
  const rows = await ctx.db
    .select({ apiary: hostOrphans.apiary, n: count() })
    .from(hostOrphans)
    .groupBy(hostOrphans.apiary);
  return Object.fromEntries(rows.map((r) => [r.apiary ? 'apiary' : 'foreign', r.n]));
}
