import { openSqlite, type SqliteDb } from '@apiary/server-kit';
import * as schema from './schema.js';

export type Db = SqliteDb<typeof schema>;

export interface OpenedDb {
  db: Db;
  close(): void;
}

/** Opens (or creates) the controller database and applies its migrations (`drizzle/sqlite`). */
export function openDb(file: string): OpenedDb {
  return openSqlite(file, schema, import.meta.url, 'drizzle/sqlite');
}

/** A transaction handle; services that run inside a caller's transaction accept either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;
