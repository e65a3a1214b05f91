import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';

/*
 * The database a test's controller runs on: SQLite in memory, or, when the run was started
 * with APIARY_TEST_DB=postgres (`pnpm test:pg`), a fresh database of the run's throwaway
 * PostgreSQL cluster (see pg-global-setup.ts). The same tests prove both engines.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    apiaryTestPgUrl: string | undefined;
  }
}

let created = 0;
const urls = new WeakMap<Database, string>();

export function testEngine(): 'sqlite' | 'postgres' {
  return inject('apiaryTestPgUrl') ? 'postgres' : 'sqlite';
}

export async function openTestDatabase(): Promise<Database> {
  const base = inject('apiaryTestPgUrl');
  if (!base) return openDatabase({ engine: 'sqlite', file: ':memory:' });
  const name = `t_${process.pid}_${++created}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({ engine: 'postgres', url: url.toString() }, { poolSize: 4 });
  urls.set(database, url.toString());
  return database;
}

/**
 * A second, independent opening of a PostgreSQL test database (its own pool and channel), as
 * another controller process has; null on SQLite (an in-memory database is one connection's).
 */
export async function openAgain(database: Database): Promise<Database | null> {
  const url = urls.get(database);
  return url ? openDatabase({ engine: 'postgres', url }, { poolSize: 4 }) : null;
}
