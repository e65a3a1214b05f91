import { type PostgresCluster, startPostgres } from '@apiary/testkit';
import { afterAll, beforeAll } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';

/**
 * Both engines for a test file: `describe.each(engines())` runs each case on a fresh SQLite
 * database and a fresh PostgreSQL database of one throwaway cluster per file.
 */
export function engines(): Array<[string, () => Promise<Database>]> {
  let cluster: PostgresCluster | undefined;
  let n = 0;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return [
    ['sqlite', () => openDatabase({ engine: 'sqlite', file: ':memory:' })],
    [
      'postgres',
      () => {
        if (!cluster) throw new Error('the PostgreSQL cluster did not start');
        return openDatabase({ engine: 'postgres', url: cluster.database(`db${++n}`) });
      },
    ],
  ];
}

/** Opens a database, runs `fn`, closes it. */
export async function withDb(open: () => Promise<Database>, fn: (d: Database) => Promise<void>) {
  const d = await open();
  try {
    await fn(d);
  } finally {
    await d.close();
  }
}
