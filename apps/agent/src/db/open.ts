import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/**
 * Open (or create) the agent database and apply the committed migrations. WAL keeps readers
 * (listing VMs) from waiting on a writer; synchronous=NORMAL is durable across a process crash
 * (kill -9), which is the failure the sagas are built for.
 */
export function openDatabase(path: string): Db {
  const client = new Database(path);
  client.pragma('journal_mode = WAL');
  client.pragma('synchronous = NORMAL');
  client.pragma('busy_timeout = 5000');
  client.pragma('foreign_keys = ON');
  const db = drizzle(client, { schema }) as Db;
  migrate(db, { migrationsFolder: findMigrations() });
  return db;
}

/** The `drizzle/` folder, found from both `src/db/` (tests) and the bundled `dist/main.js`. */
function findMigrations(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'drizzle');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('agent migrations (drizzle/) not found');
}
