import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

export type SqliteDb<S extends Record<string, unknown>> = BetterSQLite3Database<S> & {
  $client: Database.Database;
};

/**
 * The committed migrations folder (`drizzle`, or `drizzle/<dialect>` for a package with two
 * engines) of the package `from` belongs to (pass `import.meta.url`): found by walking up, so
 * it works from the sources (tests) and from the bundle (`dist/main.js`) alike.
 */
export function findMigrationsFolder(from: string, folder = 'drizzle'): string {
  const start = dirname(fileURLToPath(from));
  let dir = start;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, folder);
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the drizzle migrations folder above ${start}`);
}

/**
 * Opens (or creates) a daemon's SQLite database and applies its pending migrations. WAL lets
 * readers go on while one writer writes; synchronous=NORMAL is durable across a process crash
 * (kill -9, the failure the sagas are built for): only a power loss can lose the last commits.
 */
export function openSqlite<S extends Record<string, unknown>>(
  file: string,
  schema: S,
  migrationsFrom: string,
  migrationsFolder = 'drizzle',
): { db: SqliteDb<S>; close(): void } {
  const sqlite = new Database(file);
  if (file !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema }) as SqliteDb<S>;
  migrate(db, { migrationsFolder: findMigrationsFolder(migrationsFrom, migrationsFolder) });
  return { db, close: () => sqlite.close() };
}
