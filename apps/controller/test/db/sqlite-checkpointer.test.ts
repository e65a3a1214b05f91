import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findMigrationsFolder } from '@apiary/server-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKSTOP_WAL_PAGES, startCheckpointer } from '../../src/db/sqlite-checkpointer.js';
import { openSqliteEngine } from '../../src/db/sqlite-engine.js';
import { tempDir } from '../helpers/temp.js';

/*
 * The WAL of a database file is copied back into the file by a worker thread, not by the commit
 * that happens to cross the threshold on the controller's one thread (sqlite-checkpointer.ts).
 */

let engine: ReturnType<typeof openSqliteEngine> | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

function open(file: string) {
  engine = openSqliteEngine(file, findMigrationsFolder(import.meta.url, 'drizzle/sqlite'));
  return engine;
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('background WAL checkpoints', () => {
  it('copy what commits write into the database file, from another thread', async () => {
    const file = join(tempDir('ckpt-'), 'controller.db');
    const { sqlite, walCheckpoints } = open(file);
    const errors: string[] = [];
    walCheckpoints?.onError((message) => errors.push(message));
    // The commits' own checkpoint is only a backstop, far above what this test writes.
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_WAL_PAGES);
    sqlite.exec('CREATE TABLE filler (n INTEGER PRIMARY KEY, text TEXT NOT NULL)');
    const insert = sqlite.prepare('INSERT INTO filler (text) VALUES (?)');
    await until('the table to reach the file', () => statSync(file).size > 0);
    const before = statSync(file).size;
    // ~2 MB in 200 commits: ~500 pages, a twentieth of the backstop.
    for (let i = 0; i < 200; i++) sqlite.transaction(() => insert.run('x'.repeat(10_000)))();
    // The database file grows only when a checkpoint copies pages into it.
    await until('a checkpoint to copy the commits', () => statSync(file).size > before + 1_500_000);
    // Its report reaches this thread as a message, a moment after the file grew.
    await until(
      'the worker to report it',
      () => (walCheckpoints?.progress().checkpointed ?? 0) >= 500,
    );
    expect(errors).toEqual([]);
  });

  it('stop with the database, which then leaves no WAL behind', async () => {
    const file = join(tempDir('ckpt-'), 'controller.db');
    const { sqlite } = open(file);
    sqlite.exec('CREATE TABLE t (x TEXT)');
    sqlite.prepare('INSERT INTO t VALUES (?)').run('kept');
    expect(existsSync(`${file}-wal`)).toBe(true);
    await engine?.close();
    engine = undefined;
    // Both connections closed (the last to close copies the WAL and removes it).
    expect(existsSync(`${file}-wal`)).toBe(false);
    const again = open(file);
    expect(again.sqlite.prepare('SELECT x FROM t').pluck().all()).toEqual(['kept']);
  });

  it('say so when the worker is gone without being stopped', async () => {
    const gone = new Promise<string>((resolve) => {
      startCheckpointer(join(tempDir('ckpt-'), 'no-such.db'), { onGone: resolve });
    });
    expect(await gone).toMatch(/unable to open database file|no such file/i);
  });

  it('are not started for a database in memory', () => {
    expect(open(':memory:').walCheckpoints).toBeUndefined();
  });
});
