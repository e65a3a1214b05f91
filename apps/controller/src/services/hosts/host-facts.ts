import type { HostOrphan } from '@apiary/protocol';
import { type Column, getTableColumns, type SQL, sql, type Table } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Engine, Tables } from '../../db/database.js';
import { iso, isoOrNull } from '../../lib/clock.js';

/*
 * What a host's view shows from other tables (the images it holds, its orphans, its latest
 * drain) travels inside the host's own row as correlated subqueries: a page of hosts is one
 * statement, not a page and then three more reads (on PostgreSQL a round trip each). Each
 * subquery is a primary-key or index probe per host. Lists come back as JSON built by the
 * database, the same arrays on both engines (SQLite's booleans as 0/1, its JSON-as-text
 * columns embedded with json() so that they arrive parsed).
 */

/** The facts as selected: the driver hands JSON over parsed (PostgreSQL) or as text (SQLite). */
export interface HostFactsColumns {
  images: unknown;
  orphans: unknown;
  latestDrainId: unknown;
}

export interface HostFacts {
  /** Digests of the images the host holds, sorted. */
  images: string[];
  /** Ordered by VM id. */
  orphans: HostOrphan[];
  /** The host's latest drain, read only for a host that is not eligible (only those show it). */
  latestDrainId: string | null;
}

const facts = new WeakMap<object, Record<keyof HostFactsColumns, SQL>>();

/** The facts of the `hosts` row of the enclosing statement, to select next to its columns. */
export function hostFactsColumns(ctx: Ctx): Record<keyof HostFactsColumns, SQL> {
  let columns = facts.get(ctx.t.hosts);
  if (!columns) {
    columns = buildFacts(ctx.t, ctx.engine);
    facts.set(ctx.t.hosts, columns);
  }
  return columns;
}

export function readHostFacts(row: HostFactsColumns): HostFacts {
  const images = (parsed(row.images) as string[] | null) ?? [];
  const orphans = (parsed(row.orphans) as OrphanValues[] | null) ?? [];
  return {
    images: images.sort(),
    orphans: orphans.map(
      ([id, apiary, zoneState, holds, firstSeenAt, lastSeenAt, removalAt, removalError]) => ({
        id,
        apiary: apiary === true || apiary === 1,
        zone_state: zoneState,
        holds,
        first_seen_at: iso(firstSeenAt),
        last_seen_at: iso(lastSeenAt),
        removal_requested_at: isoOrNull(removalAt),
        removal_error: removalError,
      }),
    ),
    latestDrainId: (row.latestDrainId as string | null) ?? null,
  };
}

/** One orphan as `orphanValues` lists its columns. */
type OrphanValues = [
  string,
  boolean | 0 | 1,
  string | null,
  string[],
  number,
  number,
  number | null,
  string | null,
];

function parsed(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function buildFacts(t: Tables, engine: Engine): Record<keyof HostFactsColumns, SQL> {
  const { drains, hostImages, hostOrphans, hosts } = t;
  // Qualified by hand (see env-vms-json.ts): the outer host's id must not read as the inner
  // table's column of the same name.
  const q = (table: Table, column: Column) => sql`${table}.${sql.identifier(column.name)}`;
  const ofThisHost = (table: Table, hostId: Column) =>
    sql`${q(table, hostId)} = ${q(hosts, hosts.id)}`;
  const jsonArray = engine === 'postgres' ? sql`json_build_array` : sql`json_array`;
  const agg = (value: SQL, orderBy?: SQL) => {
    const order = orderBy ? sql` order by ${orderBy}` : sql``;
    return engine === 'postgres'
      ? sql`json_agg(${value}${order})`
      : sql`json_group_array(${value}${order})`;
  };
  const orphanColumns = getTableColumns(hostOrphans);
  const orphanValues = [
    orphanColumns.vmId,
    orphanColumns.apiary,
    orphanColumns.zoneState,
    orphanColumns.holds,
    orphanColumns.firstSeenAt,
    orphanColumns.lastSeenAt,
    orphanColumns.removalAt,
    orphanColumns.removalError,
  ].map((c) =>
    engine === 'sqlite' && c.dataType === 'json'
      ? sql`json(${q(hostOrphans, c)})`
      : q(hostOrphans, c),
  );
  // In JavaScript's order where read, as the view always sorted them (not the database's
  // collation, which may differ on PostgreSQL).
  const images = agg(q(hostImages, hostImages.digest));
  const orphans = agg(
    sql`${jsonArray}(${sql.join(orphanValues, sql`, `)})`,
    q(hostOrphans, hostOrphans.vmId),
  );
  // Started at the same millisecond: the later id, so that the answer is always the same.
  const latestDrain = sql`${q(drains, drains.startedAt)} desc, ${q(drains, drains.id)} desc`;
  return {
    images: sql`(select ${images} from ${hostImages} where ${ofThisHost(hostImages, hostImages.hostId)})`,
    orphans: sql`(select ${orphans} from ${hostOrphans} where ${ofThisHost(hostOrphans, hostOrphans.hostId)})`,
    latestDrainId: sql`case when ${q(hosts, hosts.policy)} <> 'eligible'
      then (select ${q(drains, drains.id)} from ${drains}
        where ${ofThisHost(drains, drains.hostId)} order by ${latestDrain} limit 1) end`,
  };
}
