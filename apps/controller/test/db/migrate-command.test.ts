import { spawn } from 'node:child_process';
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findMigrationsFolder } from '@apiary/server-kit';
import { startPostgres } from '@apiary/testkit';
import { tempDir } from '@apiary/testkit/test-temp';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrateSqlite } from '../../src/db/migrate-sqlite.js';
import { readJournal } from '../../src/db/migration-plan.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'apiary-controller.js');
const sqliteFolder = findMigrationsFolder(import.meta.url, 'drizzle/sqlite');
const pgFolder = findMigrationsFolder(import.meta.url, 'drizzle/pg');

/** Runs `apiary-controller migrate ...` (the built program) to its end. */
function migrate(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  // No APIARY_* from the caller's environment: the flags alone say where the database is.
  const child = spawn(process.execPath, [bin, 'migrate', ...args], {
    env: { PATH: process.env.PATH },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

describe('apiary-controller migrate', () => {
  it('creates the SQLite file in the data dir, says what it applied, and nothing the second time', async () => {
    const dataDir = join(tempDir('migrate-cli'), 'data');
    const tags = readJournal(sqliteFolder).map((m) => m.tag);
    const first = await migrate(['--data-dir', dataDir]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toBe(
      `${tags.map((t) => `applied ${t}\n`).join('')}sqlite:${dataDir}/controller.db: applied ${tags.length} migrations; the schema is at ${tags.at(-1)}\n`,
    );
    // Private like the daemon's: the directory and the database are the user's only.
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'controller.db')).mode & 0o777).toBe(0o600);
    const second = await migrate(['--db', `sqlite:${dataDir}/controller.db`]);
    expect(second.code).toBe(0);
    expect(second.out).toBe(
      `sqlite:${dataDir}/controller.db: the schema is current (${tags.at(-1)}); nothing to apply\n`,
    );
  });

  it('on SQLite, waits for another migrator holding the write lock and then applies nothing', async () => {
    const dir = tempDir('migrate-wait');
    const file = join(dir, 'controller.db');
    // The database one migration behind: migrated from a copy of the journal without the last.
    const older = join(dir, 'older');
    cpSync(sqliteFolder, older, { recursive: true });
    const journal = JSON.parse(readFileSync(join(older, 'meta', '_journal.json'), 'utf8'));
    journal.entries.pop();
    writeFileSync(join(older, 'meta', '_journal.json'), JSON.stringify(journal));
    const other = new Database(file);
    try {
      // As a controller opens it (sqlite-engine.ts).
      other.pragma('journal_mode = WAL');
      migrateSqlite(other, older);
      // Another migrator is half-way through the last migration, holding the write lock.
      const last = readMigrationFiles({ migrationsFolder: sqliteFolder }).at(-1);
      if (!last) throw new Error('no migrations');
      other.exec('BEGIN IMMEDIATE');
      for (const statement of last.sql) other.exec(statement);
      other
        .prepare('INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)')
        .run(last.hash, last.folderMillis);
      const run = migrate(['--db', `sqlite:${file}`]);
      // Long enough for the program to start and reach the lock (its wait is 120 s).
      await sleep(3_000);
      other.exec('COMMIT');
      const result = await run;
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      expect(result.out).toContain('nothing to apply');
      const counts = other
        .prepare('SELECT count(*) FROM "__drizzle_migrations" GROUP BY created_at')
        .pluck()
        .all();
      expect(counts).toEqual(readJournal(sqliteFolder).map(() => 1));
    } finally {
      other.close();
    }
  });

  it('on PostgreSQL, two runs at once both succeed and apply each migration once', async () => {
    const cluster = await startPostgres();
    try {
      const url = cluster.database('migrate_cli');
      // The password file is read (the throwaway cluster trusts its socket and ignores it).
      const passwordFile = join(tempDir('migrate-pw'), 'pw');
      writeFileSync(passwordFile, 'unused\n', { mode: 0o600 });
      const runs = await Promise.all([
        migrate(['--db', url]),
        migrate(['--db', url, '--db-password-file', passwordFile]),
      ]);
      expect(runs.map((r) => [r.code, r.err])).toEqual([
        [0, ''],
        [0, ''],
      ]);
      const tags = readJournal(pgFolder).map((m) => m.tag);
      const output = runs.map((r) => r.out).join('');
      for (const tag of tags) expect(output.split(`applied ${tag}\n`)).toHaveLength(2);
      expect(output).toContain('nothing to apply');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const rows = await client.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations GROUP BY created_at',
        );
        expect(rows.rows.map((r) => r.n)).toEqual(tags.map(() => 1));
      } finally {
        await client.end();
      }
    } finally {
      await cluster.stop();
    }
  });

  it('refuses a password in --db and a missing database, without echoing the password', async () => {
    const secret = await migrate(['--db', 'postgres://apiary:s3cret-pw@db1/apiary']);
    expect(secret.code).toBe(2);
    expect(secret.err).toContain('no password on the command line');
    expect(secret.err).not.toContain('s3cret-pw');
    const none = await migrate([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('--data-dir');
  });
});
