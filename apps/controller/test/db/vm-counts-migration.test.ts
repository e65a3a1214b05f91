import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findMigrationsFolder } from '@apiary/server-kit';
import { type PostgresCluster, startPostgres } from '@apiary/testkit';
import { tempDir } from '@apiary/testkit/test-temp';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePg } from '../../src/db/migrate-pg.js';
import { migrateSqlite } from '../../src/db/migrate-sqlite.js';

/*
 * The migration that starts keeping the VM counts (vm_counts) counts the VMs already there:
 * a database migrated up to the one before, with VMs in it, then migrated to the end.
 */

/** The engine's migrations folder without vm_counts and what comes after it. */
function migrationsBefore(engine: 'sqlite' | 'pg'): string {
  const dir = join(tempDir(`vm-counts-${engine}`), 'drizzle');
  cpSync(findMigrationsFolder(import.meta.url, `drizzle/${engine}`), dir, { recursive: true });
  const file = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(file, 'utf8'));
  const at = journal.entries.findIndex((e: { tag: string }) => e.tag.endsWith('_vm_counts'));
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(file, JSON.stringify(journal));
  return dir;
}

/** Two organizations' VMs in four (organization, state) pairs, the same on both engines. */
const FLEET = [
  "INSERT INTO orgs (id, name, created_at) VALUES ('o1', 'one', 1), ('o2', 'two', 1)",
  `INSERT INTO envs (id, name, org_id, state, ssh_keys, lifetime, on_failure, created_at, expires_at, updated_at)
     VALUES ('e1', 'e1', 'o1', 'active', '[]', 1, 'keep', 1, 2, 1), ('e2', 'e2', 'o2', 'active', '[]', 1, 'keep', 1, 2, 1)`,
  `INSERT INTO vms (id, name, env_id, idx, org_id, image, engine, cpu, mem, disk, ports, deny_outgoing, state, port_map, created_at, updated_at)
     VALUES ${[
       ['e1-0', 'e1', 'o1', 'running'],
       ['e1-1', 'e1', 'o1', 'running'],
       ['e1-2', 'e1', 'o1', 'stopped'],
       ['e2-0', 'e2', 'o2', 'running'],
       ['e2-1', 'e2', 'o2', 'deleted'],
     ]
       .map(
         ([id, env, org, state], i) =>
           `('${id}', '${id}', '${env}', ${i}, '${org}', 'img', 'bhyve', 1, 1, 1, '[]', false, '${state}', '{}', 1, 1)`,
       )
       .join(', ')}`,
];
const COUNTED = [
  { org_id: 'o1', state: 'running', n: 2 },
  { org_id: 'o1', state: 'stopped', n: 1 },
  { org_id: 'o2', state: 'deleted', n: 1 },
  { org_id: 'o2', state: 'running', n: 1 },
];
const READ = 'SELECT org_id, state, n FROM vm_counts ORDER BY org_id, state';

describe('the vm_counts migration', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('counts the VMs a SQLite database already has', () => {
    const sqlite = new Database(':memory:');
    try {
      migrateSqlite(sqlite, migrationsBefore('sqlite'));
      for (const statement of FLEET) sqlite.exec(statement);
      migrateSqlite(sqlite, findMigrationsFolder(import.meta.url, 'drizzle/sqlite'));
      expect(sqlite.prepare(READ).all()).toEqual(COUNTED);
      expect(sqlite.prepare('SELECT count(*) AS n FROM vm_count_deltas').get()).toEqual({ n: 0 });
    } finally {
      sqlite.close();
    }
  });

  it('counts the VMs a PostgreSQL database already has', async () => {
    const pool = new pg.Pool({ connectionString: cluster.database('migrated') });
    try {
      await migratePg(pool, migrationsBefore('pg'));
      for (const statement of FLEET) await pool.query(statement);
      await migratePg(pool, findMigrationsFolder(import.meta.url, 'drizzle/pg'));
      const { rows } = await pool.query(READ);
      expect(rows.map((r) => ({ ...r, n: Number(r.n) }))).toEqual(COUNTED);
      const deltas = await pool.query('SELECT count(*)::int AS n FROM vm_count_deltas');
      expect(deltas.rows[0].n).toBe(0);
    } finally {
      await pool.end();
    }
  });
});
