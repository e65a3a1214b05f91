import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { param, statement } from '../../db/prepared-statement.js';

/*
 * One lock order on PostgreSQL: a host's row before the rows of its VMs. A heartbeat's inventory
 * writes the host and then its VMs. A transaction that wrote a VM and then its host (accepting a
 * change, recording its outcome, switching a migrated VM to its target, marking a VM deleted and
 * giving its reservation back) could hold what the
 * inventory waits for while waiting for what the inventory holds, and the server ends one of the
 * two (40P01): a CI run saw a VM change fail so. Each such transaction takes its host's row
 * first, before it writes any VM; an inventory takes it before it even reads them (it counts
 * them: apply-inventory.ts).
 *
 * The lock is the one an UPDATE of the row takes (FOR NO KEY UPDATE): VM rows being inserted for
 * the host (their foreign key's KEY SHARE lock) do not wait for it. SQLite has no row locks (one
 * transaction at a time): there this does nothing.
 */
const hostRowTaken = statement('host_row_taken', (db, { hosts }) =>
  db
    .select({ id: hosts.id })
    .from(hosts)
    .where(eq(hosts.id, param('id')))
    .for('no key update'),
);

/** Takes `hostId`'s row lock in `tx` before the caller writes any of its VMs. */
export async function takeHostRowFirst(ctx: Ctx, tx: Tx, hostId: string): Promise<void> {
  if (ctx.engine !== 'postgres') return;
  await hostRowTaken.run(ctx, { id: hostId }, tx);
}
