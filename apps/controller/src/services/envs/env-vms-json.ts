import { type Column, getTableColumns, type SQL, sql, type Table } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Engine, Tables } from '../../db/database.js';
import type { VmRow } from './env-view.js';

/** A VM of an environment's view, with the facts of its host (null: no host, or none known). */
export interface VmWithHost {
  vm: VmRow;
  liveness: string | null;
  publicAddr: string | null;
}

/*
 * An environment's VMs travel inside the environment's own row, as one JSON array built by the
 * database (one array of column values per VM): the page is one statement, and the driver
 * parses 100 JSON texts instead of 300 rows of 40 fields that drizzle then maps field by field
 * (on PostgreSQL the row parsing and mapping were most of the page's CPU). Both engines build
 * the same arrays; booleans come back as 0/1 from SQLite, and its JSON-as-text columns are
 * embedded with json() so that each arrives parsed.
 */

interface Layout {
  keys: (keyof VmRow)[];
  /** true: a boolean column (SQLite gives 0/1). */
  booleans: boolean[];
  sql: SQL;
}

const layouts = new WeakMap<object, Layout>();

/**
 * The VMs of the `envs` row of the enclosing statement, each with its host's liveness and
 * address (correlated primary-key lookups: PostgreSQL planned a join as a hash of every host).
 * Unordered: the view orders them.
 */
export function vmsOfEnvJson(ctx: Ctx): SQL {
  return layoutOf(ctx.t, ctx.engine).sql;
}

/** What `vmsOfEnvJson` selected, as VM rows (the driver may hand it over parsed or as text). */
export function readVmsJson(ctx: Ctx, value: unknown): VmWithHost[] {
  const { keys, booleans } = layoutOf(ctx.t, ctx.engine);
  const list = (typeof value === 'string' ? JSON.parse(value) : value) as unknown[][] | null;
  if (!list) return [];
  const n = keys.length;
  return list.map((values) => {
    const vm: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const v = values[i] ?? null;
      vm[keys[i] as string] = booleans[i] && v !== null ? v === true || v === 1 : v;
    }
    return {
      vm: vm as unknown as VmRow,
      liveness: (values[n] ?? null) as string | null,
      publicAddr: (values[n + 1] ?? null) as string | null,
    };
  });
}

function layoutOf(t: Tables, engine: Engine): Layout {
  let layout = layouts.get(t.vms);
  if (!layout) {
    layout = buildLayout(t, engine);
    layouts.set(t.vms, layout);
  }
  return layout;
}

function buildLayout(t: Tables, engine: Engine): Layout {
  const { envs, hosts, vms } = t;
  const columns = Object.entries(getTableColumns(vms)) as [keyof VmRow, Column][];
  // Qualified by hand: in a single-table select drizzle leaves the columns of a `sql` field
  // unqualified, and in this subquery an unqualified `id` would be the VM's, not the env's.
  const q = (table: Table, column: Column) => sql`${table}.${sql.identifier(column.name)}`;
  const hostFact = (column: Column) =>
    sql`(select ${q(hosts, column)} from ${hosts} where ${q(hosts, hosts.id)} = ${q(vms, vms.hostId)})`;
  const values = [
    ...columns.map(([, c]) =>
      engine === 'sqlite' && c.dataType === 'json' ? sql`json(${q(vms, c)})` : q(vms, c),
    ),
    hostFact(hosts.liveness),
    hostFact(hosts.publicAddr),
  ];
  const array = sql.join(values, sql`, `);
  const aggregate =
    engine === 'postgres'
      ? sql`coalesce(json_agg(json_build_array(${array})), '[]'::json)`
      : sql`json_group_array(json_array(${array}))`;
  return {
    keys: columns.map(([k]) => k),
    booleans: columns.map(([, c]) => c.dataType === 'boolean'),
    sql: sql`(select ${aggregate} from ${vms} where ${q(vms, vms.envId)} = ${q(envs, envs.id)})`,
  };
}
