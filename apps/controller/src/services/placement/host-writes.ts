import { Column, is, SQL } from 'drizzle-orm';
import type { Tables } from '../../db/database.js';
import { columns } from './candidates.js';

/*
 * Which hosts a statement this process sends may change, as far as placement is concerned, read
 * from the statement's text and parameters (`Database.onWrite`), so that the candidate index
 * re-reads those hosts only, and nothing at all for a write of columns placement never reads
 * (credentials, last heartbeat, `used_*`, inventory generation).
 *
 * Only the shapes drizzle builds are attributed, and only when the rows they can touch are
 * bounded by ids in the statement: an update or delete whose WHERE has the id (`= ?` or
 * `in (...)`) as a top-level conjunct and no OR anywhere; an insert whose rows carry their ids.
 * Anything else (another WHERE, an upsert on another key, a literal where a parameter was
 * expected) is `all`: the index is read again in full, as before.
 */

export type HostWrite =
  /** Changes nothing placement reads (or is not a write of hosts/host_images). */
  | { kind: 'none' }
  /** May change these hosts only. */
  | { kind: 'hosts'; ids: string[] }
  /** May change any host. */
  | { kind: 'all' };

const NONE: HostWrite = { kind: 'none' };
const ALL: HostWrite = { kind: 'all' };

/**
 * The `hosts` columns placement reads (candidate rows, the free-capacity expressions), taken
 * from `columns()` itself so that a column added there is watched without another edit.
 */
export function placementColumns(hosts: Tables['hosts']): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown) => {
    if (is(value, Column)) names.add(value.name);
    else if (is(value, SQL)) for (const chunk of value.queryChunks) visit(chunk);
  };
  for (const value of Object.values(columns(hosts))) visit(value);
  return names;
}

const STATEMENT = /^\s*(insert\s+into|update|delete\s+from)\s+"(hosts|host_images)"\s*([\s\S]*)$/i;

/** What a data-changing statement may change for placement. */
export function attributeHostWrite(
  query: string,
  params: readonly unknown[],
  /** The columns placement reads; null: every column. */
  relevant: ReadonlySet<string> | null,
): HostWrite {
  const m = STATEMENT.exec(query);
  if (!m) return NONE;
  const verb = (m[1] as string).toLowerCase();
  const table = m[2] as 'hosts' | 'host_images';
  const rest = m[3] as string;
  const restAt = query.length - rest.length;
  const idColumn = table === 'hosts' ? 'id' : 'host_id';
  if (verb.startsWith('insert')) return insertedIds(query, restAt, params, idColumn);
  let whereText = rest;
  if (verb === 'update') {
    const set = /^set\s+([\s\S]*?)\s+where\s+([\s\S]*)$/i.exec(rest);
    if (!set) return ALL; // no WHERE: every row
    if (table === 'hosts' && !setsAny(set[1] as string, relevant)) return NONE;
    whereText = set[2] as string;
  } else {
    const where = /^where\s+([\s\S]*)$/i.exec(rest);
    if (!where) return ALL;
    whereText = where[1] as string;
  }
  const whereAt = query.length - whereText.length;
  const ids = idsOfWhere(query, whereAt, whereText, params, table, idColumn);
  return ids ? { kind: 'hosts', ids } : ALL;
}

/** Whether a SET list assigns a column in `relevant` (targets are `"col" = ...`). */
function setsAny(list: string, relevant: ReadonlySet<string> | null): boolean {
  if (relevant === null) return true;
  // A target starts the list or follows a comma; a qualified reference ("hosts"."x") in a value
  // is not matched, and an unqualified one in a value at worst counts one column too many.
  for (const m of list.matchAll(/(?:^|,)\s*"(\w+)"\s*=/g)) {
    if (relevant.has(m[1] as string)) return true;
  }
  return false;
}

/** The ids a WHERE bounds its rows to, or null when it does not. */
function idsOfWhere(
  query: string,
  at: number,
  where: string,
  params: readonly unknown[],
  table: string,
  idColumn: string,
): string[] | null {
  const body = where.replace(/\s+returning\s[\s\S]*$/i, '');
  if (/\bor\b/i.test(body)) return null;
  const column = `"${table}"."${idColumn}"`;
  const head = idTestOf(column).exec(body);
  if (!head) return null;
  const tokens = head[2] !== undefined ? [head[2]] : (head[3] as string).split(',');
  const ids: string[] = [];
  let offset = at + (head.index ?? 0) + column.length;
  for (const raw of tokens) {
    const token = raw.trim();
    const value = paramValue(query, query.indexOf(token, offset), token, params);
    if (typeof value !== 'string') return null;
    offset = query.indexOf(token, offset) + token.length;
    ids.push(value);
  }
  return ids;
}

/** The ids of the rows an insert writes (every row's id column is a parameter). */
function insertedIds(
  query: string,
  at: number,
  params: readonly unknown[],
  idColumn: string,
): HostWrite {
  const rest = query.slice(at);
  const m = /^\(([^()]*)\)\s*values\s*/i.exec(rest);
  if (!m) return ALL;
  const names = (m[1] as string).split(',').map((s) => s.trim());
  const position = names.indexOf(`"${idColumn}"`);
  if (position < 0) return ALL;
  let cursor = at + m[0].length;
  const ids: string[] = [];
  // Rows: "(a, b), (c, d)" of parameters, null and default; then at most an ON CONFLICT.
  for (;;) {
    const row = /^\s*\(([^()]*)\)\s*(,)?/.exec(query.slice(cursor));
    if (!row) break;
    const cells = (row[1] as string).split(',');
    const raw = cells[position] ?? '';
    const cell = raw.trim();
    // Where this row's cell starts: after "(", the cells before it and their commas.
    const before = cells.slice(0, position).join(',').length + (position > 0 ? 1 : 0);
    const cellAt =
      cursor + row[0].indexOf('(') + 1 + before + (raw.length - raw.trimStart().length);
    const value = paramValue(query, cellAt, cell, params);
    if (typeof value !== 'string') return ALL;
    ids.push(value);
    cursor += row[0].length;
    if (!row[2]) break;
  }
  const tail = query
    .slice(cursor)
    .replace(/\s*returning\s[\s\S]*$/i, '')
    .trim();
  // Doing nothing on a conflict, or an upsert on the id, keeps to those rows; an upsert on
  // another key may update a row with another id.
  const keeps =
    tail === '' ||
    /^on conflict(\s*\([^()]*\))? do nothing$/i.test(tail) ||
    new RegExp(`^on conflict \\("${idColumn}"[^()]*\\) do update\\b`, 'i').test(tail);
  if (!keeps) return ALL;
  return ids.length > 0 ? { kind: 'hosts', ids } : ALL;
}

/**
 * A placeholder's value: `$n` on PostgreSQL, and on SQLite `?`, numbered by the placeholders
 * before it (drizzle writes every value as a parameter, so no `?` sits inside a literal).
 */
function paramValue(query: string, at: number, token: string, params: readonly unknown[]) {
  const numbered = /^\$(\d+)$/.exec(token);
  if (numbered) return params[Number(numbered[1]) - 1];
  if (token !== '?' || at < 0) return undefined;
  let n = 0;
  for (let i = query.indexOf('?'); i >= 0 && i < at; i = query.indexOf('?', i + 1)) n++;
  return params[n];
}

const idTests = new Map<string, RegExp>();

/**
 * The id test a WHERE must start with: alone or as the first conjunct of drizzle's
 * parenthesised `and(...)`. Built once per column (host writes come with every usage summary).
 */
function idTestOf(column: string): RegExp {
  let test = idTests.get(column);
  if (!test) {
    test = new RegExp(
      `^\\(?${escapeRegExp(column)}\\s*(=\\s*(\\$\\d+|\\?)|in\\s*\\(([^()]*)\\))\\s*(\\)|and\\b|$)`,
      'i',
    );
    idTests.set(column, test);
  }
  return test;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
