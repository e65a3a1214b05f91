import { and, eq, isNotNull, type SQL, sql } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DbOrTx } from '../../db/database.js';
import type { Demand } from '../placement/reservations.js';

/** Capacity a change holds on a host from accept until it is settled or given back. */
export interface HeldDemand extends Demand {
  hostId: string;
}

/** What growing from `before` to `after` needs more (never negative: shrinking needs nothing). */
export function growth(before: Demand, after: Demand): Demand {
  return {
    cpu: Math.max(0, after.cpu - before.cpu),
    mem: Math.max(0, after.mem - before.mem),
    disk: Math.max(0, after.disk - before.disk),
  };
}

export function isEmpty(d: Demand): boolean {
  return d.cpu === 0 && d.mem === 0 && d.disk === 0;
}

function plus(column: SQL | unknown, by: number): SQL {
  // Never below zero: the same guard as releaseVmReservation.
  return sql`CASE WHEN ${column} + ${by} > 0 THEN ${column} + ${by} ELSE 0 END`;
}

/** Adds `d` (any sign) to a host's reserved capacity, with no capacity check (settling only). */
export async function adjustHost(ctx: Ctx, tx: DbOrTx, hostId: string, d: Demand): Promise<void> {
  if (isEmpty(d)) return;
  const { hosts } = ctx.t;
  await tx
    .update(hosts)
    .set({
      reservedCpu: plus(hosts.reservedCpu, d.cpu),
      reservedMem: plus(hosts.reservedMem, d.mem),
      reservedDisk: plus(hosts.reservedDisk, d.disk),
    })
    .where(eq(hosts.id, hostId));
}

/**
 * Takes the saga's held reservation off its row, exactly once (a conditional write): only the
 * caller that cleared it gets it back, so an undo repeated after a crash gives nothing back twice.
 */
export async function takeHeld(ctx: Ctx, tx: DbOrTx, sagaId: string): Promise<HeldDemand | null> {
  const { sagas } = ctx.t;
  const held = and(eq(sagas.id, sagaId), isNotNull(sagas.reserved));
  // RETURNING gives the row after the update (null): the value is read first. It is written
  // once, at accept, so what was read is what the clearing write clears.
  const seen = (await tx.select({ reserved: sagas.reserved }).from(sagas).where(held))[0];
  if (!seen?.reserved) return null;
  const cleared = await tx
    .update(sagas)
    .set({ reserved: null })
    .where(held)
    .returning({ id: sagas.id });
  return cleared.length === 1 ? (seen.reserved as HeldDemand) : null;
}

/** Gives the change's reservation back to its host (the undo of accepting it). */
export async function giveBack(ctx: Ctx, sagaId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const held = await takeHeld(ctx, tx, sagaId);
    if (held) await adjustHost(ctx, tx, held.hostId, negate(held));
  });
}

export function negate(d: Demand): Demand {
  return { cpu: -d.cpu, mem: -d.mem, disk: -d.disk };
}
