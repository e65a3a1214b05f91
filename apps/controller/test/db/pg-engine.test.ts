import { findMigrationsFolder } from '@apiary/server-kit';
import { type PostgresCluster, startPostgres } from '@apiary/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgEngine } from '../../src/db/pg-engine.js';
import { orgs } from '../../src/db/pg-schema.js';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const migrations = () => findMigrationsFolder(import.meta.url, 'drizzle/pg');

describe('the PostgreSQL engine', () => {
  it('applies the migrations once when two controllers start together', async () => {
    const url = cluster.database('together');
    const [a, b] = await Promise.all([
      openPgEngine(url, migrations()),
      openPgEngine(url, migrations()),
    ]);
    try {
      await a.db.insert(orgs).values({ id: 'o1', name: 'one', createdAt: Date.now() });
      const [row] = await b.db.select().from(orgs).where(eq(orgs.id, 'o1'));
      expect(typeof row?.createdAt).toBe('number');
      const applied = await a.pool.query(
        'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
      );
      expect(applied.rows[0].n).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);
});
