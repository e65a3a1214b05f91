import { is, SQL } from 'drizzle-orm';
import { PgTable, getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { SQLiteTable, getTableConfig as sqliteConfig } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pg from '../../src/db/pg-schema.js';
import * as sqlite from '../../src/db/sqlite-schema.js';

/** What each engine's column type means, the same on both sides when the schemas agree. */
function kind(columnType: string): string {
  if (/Boolean/.test(columnType)) return 'boolean';
  if (/Json/.test(columnType)) return 'json';
  if (/Integer|BigInt|Numeric/.test(columnType)) return 'integer';
  if (/Text|Varchar/.test(columnType)) return 'text';
  return columnType;
}

interface Shape {
  columns: Record<
    string,
    {
      kind: string;
      notNull: boolean;
      hasDefault: boolean;
      primary: boolean;
      enum?: readonly string[];
    }
  >;
  primaryKeys: string[][];
  indexes: Record<string, { columns: string[]; unique: boolean; where?: string }>;
  foreignKeys: string[];
  uniques: string[][];
}

function indexColumns(columns: unknown[]): string[] {
  // An expression index is compared by its column names and the shape of its expression.
  return columns.map((c) =>
    is(c, SQL)
      ? `expr(${c.queryChunks
          .map((q) =>
            typeof q === 'object' && q !== null && 'name' in q
              ? String((q as { name: string }).name)
              : '',
          )
          .join(' ')})`
      : String((c as { name: string }).name),
  );
}

/** The text of a partial index's condition: its literal chunks and the columns it names. */
function sqlText(expr: SQL): string {
  return expr.queryChunks
    .map((q) => {
      if (typeof q === 'object' && q !== null && 'value' in q)
        return String((q as { value: unknown }).value);
      if (typeof q === 'object' && q !== null && 'name' in q)
        return String((q as { name: string }).name);
      return '';
    })
    .join('');
}

function shape(config: ReturnType<typeof pgConfig> | ReturnType<typeof sqliteConfig>): Shape {
  return {
    columns: Object.fromEntries(
      config.columns.map((c) => [
        c.name,
        {
          kind: kind(c.columnType),
          notNull: c.notNull,
          hasDefault: c.hasDefault,
          primary: c.primary,
          ...(c.enumValues ? { enum: c.enumValues } : {}),
        },
      ]),
    ),
    primaryKeys: config.primaryKeys.map((pk) => pk.columns.map((c) => c.name)),
    indexes: Object.fromEntries(
      config.indexes.map((i) => [
        i.config.name,
        {
          columns: indexColumns(i.config.columns as unknown[]),
          unique: Boolean(i.config.unique),
          ...(i.config.where ? { where: sqlText(i.config.where) } : {}),
        },
      ]),
    ),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        const target = is(ref.foreignTable, PgTable)
          ? pgConfig(ref.foreignTable as PgTable).name
          : sqliteConfig(ref.foreignTable as SQLiteTable).name;
        return `${ref.columns.map((c) => c.name).join(',')} -> ${target}(${ref.foreignColumns.map((c) => c.name).join(',')}) on delete ${fk.onDelete ?? 'no action'}`;
      })
      .sort(),
    uniques: config.uniqueConstraints.map((u) => u.columns.map((c) => c.name)),
  };
}

const pgTables = Object.values(pg).filter((v) => is(v, PgTable)) as PgTable[];
const sqliteTables = Object.values(sqlite).filter((v) => is(v, SQLiteTable)) as SQLiteTable[];

describe('the SQLite and PostgreSQL schemas', () => {
  it('declare the same tables', () => {
    expect(pgTables.map((t) => pgConfig(t).name).sort()).toEqual(
      sqliteTables.map((t) => sqliteConfig(t).name).sort(),
    );
    expect(pgTables.length).toBeGreaterThan(8);
  });

  for (const table of sqliteTables) {
    const name = sqliteConfig(table).name;
    it(`declare ${name} alike: columns, keys, constraints and indexes`, () => {
      const twin = pgTables.find((t) => pgConfig(t).name === name);
      expect(twin, `no PostgreSQL table ${name}`).toBeDefined();
      expect(shape(pgConfig(twin as PgTable))).toEqual(shape(sqliteConfig(table)));
    });
  }
});
