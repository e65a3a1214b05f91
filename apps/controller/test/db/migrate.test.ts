import { join } from 'node:path';
import { findMigrationsFolder } from '@apiary/server-kit';
import { type PostgresCluster, startPostgres } from '@apiary/testkit';
import { tempDir } from '@apiary/testkit/test-temp';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePg } from '../../src/db/migrate-pg.js';
import { migrateSqlite } from '../../src/db/migrate-sqlite.js';
import { readJournal } from '../../src/db/migration-plan.js';

const pgFolder = () => findMigrationsFolder(import.meta.url, 'drizzle/pg');
const sqliteFolder = () => findMigrationsFolder(import.meta.url, 'drizzle/sqlite');

describe('migrating PostgreSQL', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('applies each migration once when two migrators on separate pools run at the same time', async () => {
    const url = cluster.database('concurrent');
    const pools = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })];
    try {
      const reports = await Promise.all(pools.map((pool) => migratePg(pool, pgFolder())));
      const tags = readJournal(pgFolder()).map((m) => m.tag);
      // One applied everything; the other waited for the lock and found nothing to do.
      expect(reports.map((r) => r.applied).sort((a, b) => a.length - b.length)).toEqual([[], tags]);
      expect(reports.map((r) => r.current)).toEqual([tags.at(-1), tags.at(-1)]);
      const recorded = await pools[0]?.query<{ created_at: string; n: number }>(
        'SELECT created_at, count(*)::int AS n FROM drizzle.__drizzle_migrations GROUP BY created_at ORDER BY created_at',
      );
      expect(recorded?.rows.map((r) => [Number(r.created_at), r.n])).toEqual(
        readJournal(pgFolder()).map((m) => [m.when, 1]),
      );
      // And once more: nothing, from a database that is current.
      expect((await migratePg(pools[1] as pg.Pool, pgFolder())).applied).toEqual([]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  }, 60_000);

  it('leaves no session holding the lock: a second controller can migrate afterwards', async () => {
    const url = cluster.database('released');
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await migratePg(pool, pgFolder());
      const held = await pool.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted",
      );
      expect(held.rows[0].n).toBe(0);
    } finally {
      await pool.end();
    }
  });
});

describe('migrating SQLite', () => {
  it('applies every migration to a new file, and nothing the second time', () => {
    const file = join(tempDir('migrate-sqlite'), 'controller.db');
    const tags = readJournal(sqliteFolder()).map((m) => m.tag);
    for (const expected of [tags, []]) {
      const sqlite = new Database(file);
      try {
        expect(migrateSqlite(sqlite, sqliteFolder())).toEqual({
          applied: expected,
          current: tags.at(-1),
        });
      } finally {
        sqlite.close();
      }
    }
  });

  it("finds a database drizzle's own migrator made current, and keeps the busy timeout", () => {
    const sqlite = new Database(':memory:');
    try {
      migrate(drizzle(sqlite), { migrationsFolder: sqliteFolder() });
      sqlite.pragma('busy_timeout = 5000');
      expect(migrateSqlite(sqlite, sqliteFolder()).applied).toEqual([]);
      expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
      const n = sqlite.prepare('SELECT count(*) FROM "__drizzle_migrations"').pluck().get();
      expect(n).toBe(readJournal(sqliteFolder()).length);
    } finally {
      sqlite.close();
    }
  });
});
