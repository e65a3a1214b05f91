import { type SQL, sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import type { DbOrTx, Engine } from '../db/database.js';

/*
 * VMs by organization and state as the database keeps them with every VM write (migration
 * vm_counts, both engines): the triggers on `vms` append +1/-1 rows to `vm_count_deltas`, and
 * the counts are `vm_counts` plus the deltas' sums. Status reads these few rows instead of
 * counting 100,000 VMs after each VM write. The deltas are insert-only so that no write waits
 * for another's lock on a shared counter row (placements of one organization run many at once,
 * from several controllers); a fold moves them into `vm_counts` now and then.
 */

/** Deltas past which a status read folds them (until then each read sums them all). */
export const FOLD_AT = 1_000;

/** How often each controller folds the deltas, whether or not status is asked. */
export const FOLD_EVERY_MS = 10_000;

/** The counted rows of a raw statement: SQLite's proxy gives arrays, PostgreSQL objects. */
async function select(engine: Engine, db: DbOrTx, q: SQL, columns: string[]): Promise<unknown[][]> {
  if (engine === 'sqlite') return (db as unknown as { all(q: SQL): Promise<unknown[][]> }).all(q);
  const { rows } = await db.execute(q);
  return (rows as Record<string, unknown>[]).map((r) => columns.map((c) => r[c]));
}

export interface KeptVmCounts {
  /** VMs by state (those `deleted` too; states counted to zero left out). */
  byState: Record<string, number>;
  /** Delta rows summed to answer: how much a fold would save the next read. */
  deltas: number;
}

/** The VMs of `org` (every organization's when undefined) by state, in one statement. */
export async function readVmCounts(
  engine: Engine,
  db: DbOrTx,
  org: string | undefined,
): Promise<KeptVmCounts> {
  const ofOrg = org === undefined ? sql`` : sql` WHERE org_id = ${org}`;
  // One statement, so one snapshot: a fold committing meanwhile is seen whole or not at all.
  const rows = await select(
    engine,
    db,
    sql`SELECT state, sum(n) AS n, sum(delta) AS deltas FROM (
      SELECT state, n, 0 AS delta FROM vm_counts${ofOrg}
      UNION ALL
      SELECT state, d, 1 FROM vm_count_deltas${ofOrg}
    ) c GROUP BY state`,
    ['state', 'n', 'deltas'],
  );
  const byState: Record<string, number> = {};
  let deltas = 0;
  for (const [state, n, d] of rows) {
    deltas += Number(d);
    if (Number(n) !== 0) byState[String(state)] = Number(n);
  }
  return { byState, deltas };
}

/*
 * PostgreSQL: one statement, so it commits whole. Under READ COMMITTED a second fold running at
 * the same time meets the deltas this one deletes, waits for it to commit, then skips them (they
 * are gone): each delta is returned by exactly one DELETE, so it is added once. Deltas inserted
 * by transactions not yet committed are not seen and stay for a later fold. The upsert adds to
 * the committed count it locks; keys go in one order, so two folds cannot deadlock on them.
 */
const FOLD_PG = sql`WITH moved AS (
    DELETE FROM vm_count_deltas RETURNING org_id, state, d
  ), added AS (
    INSERT INTO vm_counts (org_id, state, n)
    SELECT org_id, state, sum(d) FROM moved GROUP BY org_id, state ORDER BY org_id, state
    ON CONFLICT (org_id, state) DO UPDATE SET n = vm_counts.n + EXCLUDED.n
  )
  SELECT count(*) AS folded FROM moved`;

/** Moves the deltas into the base counts; returns how many it moved. */
export async function foldVmCounts(engine: Engine, db: DbOrTx): Promise<number> {
  if (engine === 'postgres') {
    const [row] = await select(engine, db, FOLD_PG, ['folded']);
    return Number(row?.[0] ?? 0);
  }
  // SQLite has no DELETE ... RETURNING inside a statement; its one writer at a time makes the
  // sum and the delete of one write transaction see the same deltas.
  return db.transaction(async (handle) => {
    const tx = handle as unknown as {
      all(q: SQL): Promise<unknown[][]>;
      run(q: SQL): Promise<unknown>;
    };
    const [row] = await tx.all(sql`SELECT count(*) FROM vm_count_deltas`);
    const folded = Number(row?.[0] ?? 0);
    if (folded === 0) return 0;
    // `WHERE true`: SQLite's upsert after a SELECT needs a WHERE to parse.
    await tx.run(sql`INSERT INTO vm_counts (org_id, state, n)
      SELECT org_id, state, sum(d) FROM vm_count_deltas WHERE true GROUP BY org_id, state
      ON CONFLICT (org_id, state) DO UPDATE SET n = vm_counts.n + excluded.n`);
    await tx.run(sql`DELETE FROM vm_count_deltas`);
    return folded;
  });
}

/** A fold running in this process per context: another asked meanwhile shares it. */
const running = new WeakMap<Ctx, Promise<number>>();

/** Folds unless a fold of this controller is already under way (then answers that one). */
export function foldVmCountsOnce(ctx: Ctx): Promise<number> {
  const current = running.get(ctx);
  if (current) return current;
  const fold = foldVmCounts(ctx.engine, ctx.db).finally(() => running.delete(ctx));
  running.set(ctx, fold);
  return fold;
}
