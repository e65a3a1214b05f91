import { and, eq, gt, type SQL, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/database.js';
import { dbNowMs } from '../../db/db-clock.js';

/** The lease a piece of work ran under was taken by another holder: stop, touching nothing. */
export class LeaseLost extends Error {
  constructor(name = 'lease') {
    super(`${name} is held by another controller now`);
  }
}

/**
 * A named lease in the database (see the `leases` table): at most one holder at a time, for at
 * most `ttlMs` past its last renewal. Taking an expired lease raises its epoch. `fence()` is the
 * condition every write made under the lease carries, so a holder that was paused past its lease
 * (GC, SIGSTOP, a slow disk) and wakes up cannot act: its epoch is no longer the lease's.
 */
export class Lease {
  private epochHeld: number | null = null;
  private expiresHeld: number | null = null;

  constructor(
    private readonly data: Pick<Database, 'db' | 't' | 'engine'>,
    readonly name: string,
    readonly holder: string,
    readonly ttlMs: number,
  ) {}

  /** The epoch this holder took the lease with, or null when it does not hold it. */
  get epoch(): number | null {
    return this.epochHeld;
  }

  /**
   * When the lease runs out unless renewed (ms, set by the database's clock at the last take or
   * renewal), or null when it is not held.
   */
  get expiresAt(): number | null {
    return this.expiresHeld;
  }

  /**
   * Takes the lease when it is free or expired, or renews it while this holder still holds it
   * at the same epoch. Returns whether it is held now.
   */
  async acquireOrRenew(): Promise<boolean> {
    const { db, t, engine } = this.data;
    const now = dbNowMs(engine);
    const ours = and(eq(t.leases.holder, this.holder), eq(t.leases.epoch, this.epochHeld ?? -1));
    const rows = await db
      .insert(t.leases)
      .values({
        name: this.name,
        holder: this.holder,
        epoch: 1,
        expiresAt: sql`${now} + ${this.ttlMs}`,
      })
      .onConflictDoUpdate({
        target: t.leases.name,
        set: {
          holder: this.holder,
          // Renewal keeps the epoch; a takeover (even by the same holder, after losing it) raises it.
          epoch: sql`CASE WHEN ${ours} THEN ${t.leases.epoch} ELSE ${t.leases.epoch} + 1 END`,
          expiresAt: sql`${now} + ${this.ttlMs}`,
        },
        setWhere: sql`${t.leases.expiresAt} <= ${now} OR (${ours})`,
      })
      .returning({ epoch: t.leases.epoch, expiresAt: t.leases.expiresAt });
    this.epochHeld = rows[0] ? Number(rows[0].epoch) : null;
    this.expiresHeld = rows[0] ? Number(rows[0].expiresAt) : null;
    return this.epochHeld !== null;
  }

  /**
   * Extends the lease only if this holder still holds it at the epoch it took it with. Unlike
   * `acquireOrRenew`, never takes it again: a holder that lost its lease (even if the lease was
   * given back since) must not carry on with what it believed before.
   */
  async renew(): Promise<boolean> {
    if (this.epochHeld === null) return false;
    const { db, t, engine } = this.data;
    const rows = await db
      .update(t.leases)
      .set({ expiresAt: sql`${dbNowMs(engine)} + ${this.ttlMs}` })
      .where(
        and(
          eq(t.leases.name, this.name),
          eq(t.leases.holder, this.holder),
          eq(t.leases.epoch, this.epochHeld),
        ),
      )
      .returning({ expiresAt: t.leases.expiresAt });
    this.expiresHeld = rows[0] ? Number(rows[0].expiresAt) : null;
    if (!rows[0]) this.epochHeld = null;
    return rows.length > 0;
  }

  /**
   * Throws LeaseLost unless this holder holds the lease now. Called first in a transaction whose
   * writes belong to the lease; on PostgreSQL it also holds the lease row until the commit, so
   * no takeover commits in between.
   */
  async check(db: Pick<Tx, 'select'>): Promise<void> {
    const { t, engine } = this.data;
    const query = db
      .select({ epoch: t.leases.epoch })
      .from(t.leases)
      .where(
        and(
          eq(t.leases.name, this.name),
          eq(t.leases.holder, this.holder),
          eq(t.leases.epoch, this.epochHeld ?? -1),
          gt(t.leases.expiresAt, dbNowMs(engine)),
        ),
      );
    const rows = engine === 'postgres' ? await query.for('share') : await query;
    if (rows.length === 0) throw new LeaseLost(this.name);
  }

  /** Gives the lease up now (a clean shutdown), so another holder need not wait for it to expire. */
  async release(): Promise<void> {
    if (this.epochHeld === null) return;
    const { db, t } = this.data;
    await db
      .update(t.leases)
      .set({ expiresAt: 0 })
      .where(and(eq(t.leases.name, this.name), this.fenceOn(this.epochHeld)));
    this.epochHeld = null;
    this.expiresHeld = null;
  }

  /**
   * The condition a write under this lease must carry: true only while this holder holds it, at
   * the epoch it took, unexpired by the database's clock. False when it does not hold it.
   */
  fence(): SQL {
    return this.epochHeld === null ? sql`1 = 0` : this.fenceOn(this.epochHeld);
  }

  private fenceOn(epoch: number): SQL {
    const { t, engine } = this.data;
    return sql`EXISTS (SELECT 1 FROM ${t.leases} WHERE ${t.leases.name} = ${this.name} AND ${t.leases.holder} = ${this.holder} AND ${t.leases.epoch} = ${epoch} AND ${t.leases.expiresAt} > ${dbNowMs(engine)})`;
  }
}
