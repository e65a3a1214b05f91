import { type SQL, sql } from 'drizzle-orm';
import type { Engine } from './database.js';

/**
 * Now, in ms since the epoch, by the database's clock. Leases compare against this rather than
 * each controller's own clock, so two controllers whose clocks drift apart still agree on whether
 * a lease has expired.
 */
export function dbNowMs(engine: Engine): SQL<number> {
  return engine === 'postgres'
    ? sql<number>`(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint`
    : sql<number>`CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;
}
