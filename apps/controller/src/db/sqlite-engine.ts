import Database from 'better-sqlite3';
import type { Logger } from 'drizzle-orm';
import { drizzle as drizzleProxy, type SqliteRemoteDatabase } from 'drizzle-orm/sqlite-proxy';
import { migrateSqlite } from './migrate-sqlite.js';
import {
  BACKSTOP_WAL_PAGES,
  type CheckpointProgress,
  SQLITE_DEFAULT_WAL_PAGES,
  startCheckpointer,
} from './sqlite-checkpointer.js';
import { TxGate } from './tx-gate.js';

export type SqliteDb = SqliteRemoteDatabase;

/**
 * The embedded engine: one better-sqlite3 connection behind drizzle's async `sqlite-proxy`
 * driver, so services `await` the same query builders on SQLite as on PostgreSQL. Statements
 * run synchronously in the callback; the gate keeps transactions to themselves.
 */
export function openSqliteEngine(
  file: string,
  migrationsFolder: string,
  options: { logger?: Logger } = {},
) {
  const sqlite = new Database(file);
  if (file !== ':memory:') sqlite.pragma('journal_mode = WAL');
  // WAL + NORMAL is durable across process crashes; only a power loss can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  let migrations: ReturnType<typeof migrateSqlite>;
  try {
    migrations = migrateSqlite(sqlite, migrationsFolder);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const checkpoints = file === ':memory:' ? undefined : checkpointInBackground(sqlite, file);

  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let st = statements.get(sql);
    if (!st) {
      st = sqlite.prepare(sql);
      // Statement text is bounded by the code that builds it, but not by much: keep the cache small.
      if (statements.size > 500) statements.clear();
      statements.set(sql, st);
    }
    return st;
  };
  const gate = new TxGate();
  const db = drizzleProxy(
    async (sql, params, method) => {
      await gate.admit();
      const st = prepare(sql);
      if (method === 'run' || !st.reader) {
        st.run(...params);
        return { rows: [] };
      }
      st.raw(true);
      if (method === 'get') return { rows: st.get(...params) as unknown[] };
      return { rows: st.all(...params) as unknown[][] };
    },
    // No schema: see pg-engine.ts (drizzle's relational builders, made per transaction, unused).
    options.logger ? { logger: options.logger } : {},
  );
  // Every transaction goes through the gate (see tx-gate.ts). BEGIN IMMEDIATE takes the write
  // lock at once, as another process (a backup, the CLI's db copy) may hold the file too.
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn, config) =>
    gate.exclusive(() =>
      transaction(fn, { behavior: 'immediate', ...config }),
    )) as typeof db.transaction;
  // The numbers the triggers of migration status_table_changes move at each write of a table
  // status counts: read outside drizzle, at every status request (one small table, four rows).
  const changeCounts = sqlite.prepare('SELECT tbl, n FROM status_table_changes');
  return {
    db,
    sqlite,
    tableChanges: () => changeCounts.all() as { tbl: string; n: number }[],
    migrations,
    /** The one connection's use: held by a transaction, and work waiting for it to end. */
    use: () => ({ inTransaction: gate.held, waiting: gate.queued }),
    /** The background checkpoints of a database file (none in memory). */
    walCheckpoints: checkpoints?.view,
    close: async () => {
      // The worker first: its thread must not outlive the database it checkpoints.
      await checkpoints?.checkpointer.stop();
      sqlite.close();
    },
  };
}

/** Checkpoints by a worker thread, the commit's own only a backstop (sqlite-checkpointer.ts). */
function checkpointInBackground(sqlite: Database.Database, file: string) {
  const errorListeners = new Set<(message: string) => void>();
  // Errors before anyone listened (a worker that could not start) are told to the first.
  const unheard: string[] = [];
  const report = (message: string) => {
    if (errorListeners.size === 0) unheard.push(message);
    for (const listener of errorListeners) listener(message);
  };
  const checkpointer = startCheckpointer(file, {
    onError: report,
    onGone: (reason) => {
      // Without the worker the commits checkpoint as SQLite's default has them do.
      sqlite.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_WAL_PAGES}`);
      report(`the checkpoint worker is gone: ${reason}`);
    },
  });
  sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_WAL_PAGES}`);
  const view: WalCheckpoints = {
    progress: () => checkpointer.progress(),
    onError: (listener) => {
      errorListeners.add(listener);
      for (const message of unheard.splice(0)) listener(message);
      return () => {
        errorListeners.delete(listener);
      };
    },
  };
  return { checkpointer, view };
}

export interface WalCheckpoints {
  progress(): CheckpointProgress;
  /** Calls `listener` with each new error of the background checkpoints; returns the unsubscribe. */
  onError(listener: (message: string) => void): () => void;
}
