import { openSqlite, type SqliteDb } from '@apiary/server-kit';
import * as schema from './schema.js';

export type Db = SqliteDb<typeof schema>;

/** Opens (or creates) the agent database and applies its migrations (`drizzle/`). */
export function openDatabase(path: string): Db {
  return openSqlite(path, schema, import.meta.url).db;
}
