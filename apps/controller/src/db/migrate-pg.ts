import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import {
  type MigrationReport,
  pendingMigrations,
  readJournal,
  reportOf,
} from './migration-plan.js';

/** The advisory lock key held while migrating ("APIA"): one migrator per database at a time. */
export const MIGRATION_LOCK = 0x41_50_49_41;

/**
 * Applies the pending migrations under a session advisory lock, so several controllers (or
 * `migrate` runs) on one database apply each migration once: the second waits for the lock,
 * then finds the migrations recorded and applies nothing. The lock is a session's, so the
 * whole run stays on one connection of the pool.
 */
export async function migratePg(pool: pg.Pool, migrationsFolder: string): Promise<MigrationReport> {
  const journal = readJournal(migrationsFolder);
  const client = await pool.connect();
  let unlocked = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      // Read under the lock: what drizzle is about to apply, by its own rule.
      const pending = pendingMigrations(journal, await lastApplied(client));
      await migrate(drizzle(client), { migrationsFolder });
      return reportOf(journal, pending);
    } finally {
      unlocked = await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).then(
        () => true,
        () => false,
      );
    }
  } finally {
    // A session that may still hold the lock must not go back to the pool: it would keep every
    // other controller's migration waiting. Destroying the connection ends the session's locks.
    client.release(!unlocked);
  }
}

/** The newest migration recorded in drizzle's table (`drizzle.__drizzle_migrations`), if any. */
async function lastApplied(client: pg.PoolClient): Promise<number | null> {
  const table = await client.query<{ t: string | null }>(
    "SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t",
  );
  if (!table.rows[0]?.t) return null;
  const last = await client.query<{ created_at: string }>(
    'SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1',
  );
  return last.rows[0] ? Number(last.rows[0].created_at) : null;
}
