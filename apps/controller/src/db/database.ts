import { findMigrationsFolder } from '@apiary/server-kit';
import type { Logger } from 'drizzle-orm';
import type { MigrationReport } from './migration-plan.js';
import { type Channel, openPgEngine, type PgDb, type PgEngineOptions } from './pg-engine.js';
import * as pgSchema from './pg-schema.js';
import { openSqliteEngine, type WalCheckpoints } from './sqlite-engine.js';
import * as sqliteSchema from './sqlite-schema.js';

/**
 * The one data layer the services are written against, on either engine. Its types are the
 * PostgreSQL ones (the stricter, async-only API); on SQLite the same builders run through
 * drizzle's async proxy on SQLite's own tables, so nothing a service writes is engine-specific.
 */
export type Db = PgDb;
export type Tables = typeof pgSchema;
export type Engine = 'sqlite' | 'postgres';
/** Hears a data-changing statement: its text and its parameters (read only, never kept). */
export type WriteListener = (query: string, params: readonly unknown[]) => void;

export interface Database {
  engine: Engine;
  db: Db;
  /** The tables of this engine: always take them from here, never import a schema module. */
  t: Tables;
  /** Statements that changed data (insert, update, delete) since the database was opened. */
  writes(): number;
  /** Statements of any kind since the database was opened (tests bound a route's count). */
  statements(): number;
  /**
   * Calls `listener` with the text and parameters of every data-changing statement this process
   * sends, before it runs (caches of table contents drop what a write may change). Returns the
   * unsubscribe.
   */
  onWrite(listener: WriteListener): () => void;
  /** What opening applied (the same locked routine `apiary-controller migrate` runs). */
  migrations: MigrationReport;
  /** The connections this controller holds now, for `/metrics`. */
  connections(): DbConnections;
  /**
   * SQLite: how many writes each table `GET /v1/status` counts has had, whoever wrote them
   * (triggers, migration status_table_changes); the kept figures compare them at each request.
   * PostgreSQL tells other controllers' writes through `channel` instead.
   */
  tableChanges?: () => { tbl: string; n: number }[];
  /** Messages between the controllers sharing this database (PostgreSQL only). */
  channel?: Channel;
  /** SQLite in a file: the WAL checkpoints a worker thread runs (sqlite-checkpointer.ts). */
  walCheckpoints?: WalCheckpoints;
  close(): Promise<void>;
}

/**
 * Connection use: PostgreSQL's pool (open, idle, callers waiting for one, the most it opens).
 * SQLite has its one connection, shared by every statement: busy while a transaction holds it,
 * with work waiting at the transaction gate (tx-gate.ts), idle otherwise.
 */
export interface DbConnections {
  open: number;
  idle: number;
  waiting: number;
  max: number;
}

export type DbTarget = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

/** `sqlite:PATH` (or a bare path) or `postgres://...` / `postgresql://...`. */
export function parseDbTarget(spec: string): DbTarget {
  if (/^postgres(ql)?:\/\//.test(spec)) return { engine: 'postgres', url: spec };
  const file = spec.startsWith('sqlite:') ? spec.slice('sqlite:'.length) : spec;
  if (file === '') throw new Error('sqlite: needs a file path (or :memory:)');
  return { engine: 'sqlite', file };
}

/** The target as safe to print: a PostgreSQL URL without its password. */
export function describeDbTarget(target: DbTarget): string {
  if (target.engine === 'sqlite') return `sqlite:${target.file}`;
  const url = new URL(target.url);
  if (url.password) url.password = '***';
  return url.toString();
}

/** Opens the database and applies pending migrations (once, even with several controllers). */
export async function openDatabase(
  target: DbTarget,
  options: Omit<PgEngineOptions, 'logger'> = {},
): Promise<Database> {
  let writes = 0;
  let statements = 0;
  const writeListeners = new Set<WriteListener>();
  const logger: Logger = {
    logQuery(query, params) {
      statements++;
      // A data-changing statement, also behind a WITH (placement's multi-host reservation).
      if (/^\s*(insert|update|delete)\b|^\s*with\b[\s\S]*\b(insert|update|delete)\b/i.test(query)) {
        writes++;
        for (const listener of writeListeners) listener(query, params);
      }
    },
  };
  const onWrite = (listener: WriteListener) => {
    writeListeners.add(listener);
    return () => {
      writeListeners.delete(listener);
    };
  };
  if (target.engine === 'sqlite') {
    const engine = openSqliteEngine(
      target.file,
      findMigrationsFolder(import.meta.url, 'drizzle/sqlite'),
      { logger },
    );
    return {
      engine: 'sqlite',
      // Same query-builder API, SQLite's own table objects: see the type note above.
      db: engine.db as unknown as Db,
      t: sqliteSchema as unknown as Tables,
      writes: () => writes,
      statements: () => statements,
      onWrite,
      tableChanges: engine.tableChanges,
      ...(engine.walCheckpoints ? { walCheckpoints: engine.walCheckpoints } : {}),
      migrations: engine.migrations,
      connections: () => {
        const use = engine.use();
        return { open: 1, idle: use.inTransaction ? 0 : 1, waiting: use.waiting, max: 1 };
      },
      close: engine.close,
    };
  }
  const engine = await openPgEngine(
    target.url,
    findMigrationsFolder(import.meta.url, 'drizzle/pg'),
    { ...options, logger },
  );
  return {
    engine: 'postgres',
    db: engine.db,
    t: pgSchema,
    writes: () => writes,
    statements: () => statements,
    onWrite,
    migrations: engine.migrations,
    connections: () => ({
      open: engine.pool.totalCount,
      idle: engine.pool.idleCount,
      waiting: engine.pool.waitingCount,
      max: engine.pool.options.max,
    }),
    channel: engine.channel,
    close: engine.close,
  };
}

/** A transaction's handle: the same builders as `Db`, bound to the transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** What a helper that may run inside its caller's transaction takes. */
export type DbOrTx = Db | Tx;
