import { join } from 'node:path';
import { findMigrationsFolder } from '@apiary/server-kit';
import { type PostgresCluster, startPostgres, waitFor } from '@apiary/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgEngine } from '../../src/db/pg-engine.js';
import { orgs } from '../../src/db/pg-schema.js';
import { tempDir } from '../helpers/temp.js';

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

  it('listens again after the database restarts, rather than dying with its connection', async () => {
    // A cluster of its own, kept in a directory so it can be stopped and started on its data.
    const dir = join(tempDir('pg-restart'), 'postgres');
    let restarting = await startPostgres({ dir });
    const engine = await openPgEngine(restarting.database('restarts'), migrations());
    const heard: string[] = [];
    const unlisten = await engine.channel.listen((payload) => heard.push(payload));
    try {
      // Fast shutdown ends every session: the listening one gets an error from the server.
      await restarting.stop();
      restarting = await startPostgres({ dir });
      await waitFor(
        async () => {
          await engine.channel.notify('after the restart').catch(() => {});
          return heard.includes('after the restart');
        },
        { what: 'a message sent after the restart to arrive', timeoutMs: 20_000, intervalMs: 300 },
      );
    } finally {
      await unlisten();
      await engine.close();
      await restarting.stop();
    }
  }, 60_000);
});
