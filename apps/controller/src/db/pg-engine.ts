import type { Logger } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './pg-schema.js';

export type PgDb = NodePgDatabase<typeof schema>;

/** Held while migrating: two controllers starting together apply each migration once. */
const MIGRATION_LOCK = 0x41_50_49_41; // "APIA"

export interface PgEngineOptions {
  /** Connections in the pool (each controller). */
  poolSize?: number;
  /** Overrides the URL's password (read from --db-password-file). */
  password?: string;
  logger?: Logger;
}

/**
 * The engine for several controllers: node-postgres with a pool, migrations applied under an
 * advisory lock. Times come back as numbers (bigint columns are read in `number` mode: ms since
 * the epoch stay exact far beyond the year 275,000).
 */
export async function openPgEngine(
  url: string,
  migrationsFolder: string,
  options: PgEngineOptions = {},
) {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.password !== undefined ? { password: options.password } : {}),
  });
  // An idle connection the server dropped must not crash the controller; the pool replaces it.
  pool.on('error', () => {});
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
  const db = drizzle(pool, { schema, ...(options.logger ? { logger: options.logger } : {}) });
  let closed: Promise<void> | null = null;
  // Closing twice (a shutdown path and a test's cleanup) is one close.
  return { db, pool, close: () => (closed ??= pool.end()) };
}
