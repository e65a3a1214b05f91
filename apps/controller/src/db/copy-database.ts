import { type Column, getTableColumns, type Table } from 'drizzle-orm';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Database } from './database.js';

/** Rows moved per statement: large enough to be quick, small enough for any parameter limit. */
const BATCH = 200;

export interface CopyReport {
  tables: Array<{ table: string; rows: number }>;
}

/**
 * Tables in an order where every table comes after those its foreign keys point to, so rows can
 * be inserted as they are read.
 */
export function tablesInDependencyOrder(t: Database['t']): Array<[string, PgTable]> {
  const tables = Object.entries(t).filter(([, v]) => typeof v === 'object') as Array<
    [string, PgTable]
  >;
  const name = (table: PgTable) => getTableConfig(table).name;
  const deps = new Map(
    tables.map(([, table]) => [
      name(table),
      new Set(
        getTableConfig(table).foreignKeys.map((fk) => name(fk.reference().foreignTable as PgTable)),
      ),
    ]),
  );
  const ordered: Array<[string, PgTable]> = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const next = tables.filter(
      ([, table]) =>
        !placed.has(name(table)) &&
        [...(deps.get(name(table)) ?? [])].every((d) => d === name(table) || placed.has(d)),
    );
    if (next.length === 0) throw new Error('foreign keys form a cycle; cannot order the tables');
    for (const entry of next) {
      ordered.push(entry);
      placed.add(name(entry[1]));
    }
  }
  return ordered;
}

/**
 * The key columns of `source` (either engine's table), found through its PostgreSQL twin: pages
 * read in key order are the same pages on every read.
 */
function keyColumnsOf(source: Table, twin: PgTable): PgColumn[] {
  const config = getTableConfig(twin);
  const names = (config.primaryKeys[0]?.columns ?? config.columns.filter((c) => c.primary)).map(
    (c) => c.name,
  );
  const columns = Object.values(getTableColumns(source));
  return names.map((n) => columns.find((c) => c.name === n) as Column) as unknown as PgColumn[];
}

/**
 * Copies every row of `from` into `to` (an installation moving from SQLite to PostgreSQL), in
 * one transaction on the target: it ends with all the rows or none. The target must be empty
 * (its migrations applied): an installation is never merged into another.
 */
export async function copyDatabase(from: Database, to: Database): Promise<CopyReport> {
  if (to.engine !== 'postgres') throw new Error('the target must be a PostgreSQL database');
  // The order comes from the target's (PostgreSQL) schema; both engines have the same tables.
  const order = tablesInDependencyOrder(to.t);
  for (const [, into] of order) {
    const [row] = await to.db.select().from(into).limit(1);
    if (row)
      throw new Error(`the target is not empty (table ${getTableConfig(into).name} has rows)`);
  }
  const report: CopyReport = { tables: [] };
  await to.db.transaction(async (tx) => {
    for (const [key, into] of order) {
      const table = from.t[key as keyof Database['t']] as unknown as PgTable;
      let rows = 0;
      for (let offset = 0; ; offset += BATCH) {
        const batch = await from.db
          .select()
          .from(table)
          .orderBy(...keyColumnsOf(table, into))
          .limit(BATCH)
          .offset(offset);
        if (batch.length === 0) break;
        await tx.insert(into).values(batch);
        rows += batch.length;
        if (batch.length < BATCH) break;
      }
      report.tables.push({ table: getTableConfig(into).name, rows });
    }
  });
  return report;
}
