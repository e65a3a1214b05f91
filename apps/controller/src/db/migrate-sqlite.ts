import type Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import {
  type MigrationReport,
  pendingMigrations,
  readJournal,
  reportOf,
} from './migration-plan.js';

/** How long a second migrator waits for the first to finish before failing (SQLITE_BUSY). */
const MIGRATION_WAIT_MS = 120_000;

/**
 * Applies the pending migrations of `migrationsFolder` in one BEGIN IMMEDIATE transaction. The
 * write lock is taken before the migrations table is read, so a second process (another
 * `migrate`, a controller starting) waits for the first and then finds nothing to do. drizzle's
 * own SQLite migrator reads that table before its (deferred) BEGIN, so two runs could both
 * apply everything; this keeps its table, hashes and rule, and only moves the read inside.
 */
export function migrateSqlite(
  sqlite: Database.Database,
  migrationsFolder: string,
): MigrationReport {
  const journal = readJournal(migrationsFolder);
  const files = new Map(readMigrationFiles({ migrationsFolder }).map((m) => [m.folderMillis, m]));
  const busyTimeout = sqlite.pragma('busy_timeout', { simple: true }) as number;
  sqlite.pragma(`busy_timeout = ${MIGRATION_WAIT_MS}`);
  try {
    const apply = sqlite.transaction(() => {
      // drizzle's table, as drizzle creates it: databases migrated before stay current.
      sqlite.exec(
        'CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)',
      );
      const last = sqlite
        .prepare('SELECT created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1')
        .pluck()
        .get() as number | string | undefined;
      const pending = pendingMigrations(journal, last === undefined ? null : Number(last));
      const record = sqlite.prepare(
        'INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)',
      );
      for (const entry of pending) {
        const file = files.get(entry.when);
        if (!file) throw new Error(`migration ${entry.tag}: no SQL file in ${migrationsFolder}`);
        for (const statement of file.sql) sqlite.exec(statement);
        record.run(file.hash, file.folderMillis);
      }
      return pending;
    });
    return reportOf(journal, apply.immediate());
  } finally {
    sqlite.pragma(`busy_timeout = ${busyTimeout}`);
  }
}
