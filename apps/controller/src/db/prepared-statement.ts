import { type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx, Engine, Tables, Tx } from './database.js';

/*
 * Statements the controller sends at every request and saga step, built once. drizzle builds a
 * statement's SQL text from its query builder each time it runs: a select of one row by id costs
 * ~90 µs that way on the bench machine, ~9 µs prepared on SQLite (measured 2026-12-07,
 * docs/performance.md), and building was a quarter of the controller's CPU in the fleet
 * benchmark. A statement defined here is built with placeholders (`param('id')`) once per
 * database and then only run.
 *
 * Where it runs: on SQLite everything shares the one connection, so the statement prepared on
 * the database also runs inside a caller's transaction (the gate admits it there, tx-gate.ts).
 * A PostgreSQL transaction runs on a pool connection of its own: there, given `tx`, the statement
 * is built once per connection on the first transaction's handle and run on that connection in
 * every later transaction (the server, too, parses and plans it once per connection, as a named
 * prepared statement; building it at each call was a quarter of a placement's CPU on PostgreSQL,
 * profiled 2026-12-07). Without `tx` it runs on the pool, outside any transaction, on both
 * engines.
 */

interface Runnable<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
}

interface Preparable<R> {
  prepare(name: string): Runnable<R>;
  toSQL(): { sql: string };
}

/** What a statement needs of the controller's context. */
export interface StatementDb {
  engine: Engine;
  db: Db;
  t: Tables;
}

export interface Statement<R> {
  /** Runs with these placeholder values: in `tx` when given, else outside any transaction. */
  run(ctx: StatementDb, values: Record<string, unknown>, tx?: Tx): Promise<R>;
  /** Its SQL text on this database's engine (what write listeners will hear). */
  text(ctx: StatementDb): string;
}

/** Each name is a PostgreSQL prepared statement's: two texts under one name would clash there. */
const definedNames = new Set<string>();

/**
 * Defines a statement once, at module level. `build` makes it on the given handle and tables
 * with placeholders for what changes between runs.
 */
export function statement<R>(
  name: string,
  build: (db: DbOrTx, t: Tables) => Preparable<R>,
): Statement<R> {
  if (definedNames.has(name)) throw new Error(`two statements are named ${name}`);
  definedNames.add(name);
  const preparedOn = new WeakMap<Db, Runnable<R>>();
  const preparedOnConnection = new WeakMap<object, Runnable<R>>();
  return {
    run(ctx, values, tx) {
      if (tx && ctx.engine === 'postgres') {
        const connection = connectionOf(tx);
        let prepared = preparedOnConnection.get(connection);
        if (!prepared) {
          // Bound to the connection, not to this transaction: valid in each one it runs later.
          prepared = build(tx, ctx.t).prepare(name);
          preparedOnConnection.set(connection, prepared);
        }
        return prepared.execute(values);
      }
      let prepared = preparedOn.get(ctx.db);
      if (!prepared) {
        prepared = build(ctx.db, ctx.t).prepare(name);
        preparedOn.set(ctx.db, prepared);
      }
      return prepared.execute(values);
    },
    text: (ctx) => build(ctx.db, ctx.t).toSQL().sql,
  };
}

/**
 * The pool connection a PostgreSQL transaction runs on: drizzle's node-postgres session for a
 * transaction holds it as `client` (what its prepared queries run on). Checked, so that a
 * drizzle that keeps it elsewhere fails every PostgreSQL test at once instead of preparing a
 * statement on the wrong connection.
 */
function connectionOf(tx: Tx): object {
  const session = (tx as unknown as { _?: { session?: { client?: unknown } } })._?.session;
  const client = session?.client;
  if (typeof client !== 'object' || client === null || !('release' in client)) {
    throw new Error("drizzle's PostgreSQL transaction no longer shows its connection");
  }
  return client;
}

/** A placeholder for the value of `key` in a statement's `run`. */
export const param = (key: string) => sql.placeholder(key);

/**
 * A placeholder as a value in an update's `set`. drizzle writes it through the column's own
 * mapping (JSON, booleans) as it does any value there; only its types leave the case out.
 */
export const setParam = (key: string) => sql.placeholder(key) as unknown as SQL;

/**
 * Statements whose text depends on a count (rows, hosts): one per count, each defined and
 * prepared when first needed, named `<name>_<count>`.
 */
export function statementsByCount<R>(
  name: string,
  build: (db: DbOrTx, t: Tables, count: number) => Preparable<R>,
): (count: number) => Statement<R> {
  const byCount = new Map<number, Statement<R>>();
  return (count) => {
    let s = byCount.get(count);
    if (!s) {
      s = statement(`${name}_${count}`, (db, t) => build(db, t, count));
      byCount.set(count, s);
    }
    return s;
  };
}

/** Rows of an insert: a value (null for none) for every column it writes. */
export type InsertRows<C extends string> = ReadonlyArray<Record<C, unknown>>;

/**
 * An insert of rows that give exactly these columns (the others keep their defaults), as one
 * statement per number of rows, each prepared when first needed (`insert_<name>_<count>`): for
 * the few rows a request writes (an environment's VMs, a request's audit records), not for bulk
 * copies, which would prepare a statement per size.
 */
export function insertStatement<C extends string>(
  name: string,
  table: (t: Tables) => PgTable,
  columns: readonly C[],
): { run(ctx: StatementDb, rows: InsertRows<C>, tx?: Tx): Promise<unknown> } {
  // The placeholder names of column c in row i, made once (`c_i`).
  const keys: string[][] = [];
  const keysOf = (row: number) => {
    keys[row] ??= columns.map((c) => `${c}_${row}`);
    return keys[row] as string[];
  };
  const forCount = statementsByCount(`insert_${name}`, (db, t, count) =>
    db
      .insert(table(t))
      .values(
        Array.from({ length: count }, (_, row) =>
          Object.fromEntries(keysOf(row).map((key, i) => [columns[i], param(key)])),
        ),
      ),
  );
  return {
    async run(ctx, rows, tx) {
      if (rows.length === 0) return;
      const values: Record<string, unknown> = {};
      rows.forEach((row, r) => {
        const names = keysOf(r);
        columns.forEach((c, i) => {
          // The builder would have written the column's default; a prepared row has no such gap.
          if (row[c] === undefined) throw new Error(`insert ${name}: row ${r} has no ${c}`);
          values[names[i] as string] = row[c];
        });
      });
      return forCount(rows.length).run(ctx, values, tx);
    },
  };
}
