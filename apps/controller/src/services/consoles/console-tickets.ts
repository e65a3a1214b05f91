import { ApiError } from '@apiary/protocol';
import { and, count, eq, gt, lte } from 'drizzle-orm';
import type { Db, Tables } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { newSecret, sha256Hex } from '../../lib/secrets.js';
import { orgKeyOf, quotaRefusal, type TenantLimits, userKeyOf } from '../../lib/tenant-quota.js';
import type { Principal } from '../auth/principal.js';

export type ConsoleKind = 'serial' | 'vnc';

/** What a ticket lets its holder open, and on whose behalf. */
export interface ConsoleGrant {
  /** Internal id (the zone name on the agent). */
  vmId: string;
  /** The name the caller knows the VM by, for what the caller is told. */
  vmName: string;
  kind: ConsoleKind;
  principal: Principal;
  requestId: string;
}

export interface ConsoleTicketOptions {
  db: Db;
  t: Tables;
  clock: Clock;
  ttlMs: number;
  /**
   * Unused tickets held at once, per user, per organization and in all: a loop asking for
   * tickets cannot fill the table, and no tenant can use up the others' share.
   */
  limits?: Partial<TenantLimits>;
}

export const CONSOLE_TICKET_LIMITS: TenantLimits = { perUser: 32, perOrg: 256, total: 50_000 };

/**
 * Single-use console tickets, kept in the database so that every controller of an installation
 * honours a ticket another issued (the websocket may reach any of them). Only the sha256 of a
 * ticket is stored; the ticket itself goes to the caller once. Spending is one conditional
 * delete, so a ticket opens one websocket however many controllers race for it.
 */
export class ConsoleTickets {
  private readonly limits: TenantLimits;

  constructor(private readonly o: ConsoleTicketOptions) {
    this.limits = { ...CONSOLE_TICKET_LIMITS, ...o.limits };
  }

  get ttlMs(): number {
    return this.o.ttlMs;
  }

  /** Unused tickets not yet expired. */
  async count(): Promise<number> {
    const { consoleTickets } = this.o.t;
    const [row] = await this.o.db
      .select({ n: count() })
      .from(consoleTickets)
      .where(gt(consoleTickets.expiresAt, this.o.clock.now()));
    return row?.n ?? 0;
  }

  async issue(grant: ConsoleGrant): Promise<{ ticket: string; expiresAt: number }> {
    const { consoleTickets } = this.o.t;
    const now = this.o.clock.now();
    const userKey = userKeyOf(grant.principal);
    const orgKey = orgKeyOf(grant.principal);
    const { secret } = newSecret('apt');
    const expiresAt = now + this.o.ttlMs;
    // Counted and written in one transaction; on PostgreSQL two racing issues may both pass
    // the count by one, which the limits (well below any harm) absorb.
    const refused = await this.o.db.transaction(async (tx) => {
      await tx.delete(consoleTickets).where(lte(consoleTickets.expiresAt, now));
      const live = gt(consoleTickets.expiresAt, now);
      const countWhere = async (where = live) =>
        (await tx.select({ n: count() }).from(consoleTickets).where(where))[0]?.n ?? 0;
      if ((await countWhere(and(live, eq(consoleTickets.userKey, userKey)))) >= this.limits.perUser)
        return 'user' as const;
      if ((await countWhere(and(live, eq(consoleTickets.orgKey, orgKey)))) >= this.limits.perOrg)
        return 'org' as const;
      if ((await countWhere()) >= this.limits.total) return 'total' as const;
      await tx.insert(consoleTickets).values({
        hash: sha256Hex(secret),
        userKey,
        orgKey,
        grant: { ...grant },
        expiresAt,
      });
      return null;
    });
    if (refused) {
      // Every outstanding ticket is spent or expired within one ticket lifetime.
      throw new ApiError(
        'rate_limited',
        `too many unused console tickets (${quotaRefusal(refused, this.limits)}); use one or wait`,
        { retryAfterSeconds: this.o.ttlMs / 1000 },
      );
    }
    return { ticket: secret, expiresAt };
  }

  /** The grant of a valid ticket, which is spent by this call; null if unknown, used or expired. */
  async consume(ticket: string): Promise<ConsoleGrant | null> {
    if (!/^apt_[a-z2-7]{40}$/.test(ticket)) return null;
    const { consoleTickets } = this.o.t;
    const [spent] = await this.o.db
      .delete(consoleTickets)
      .where(eq(consoleTickets.hash, sha256Hex(ticket)))
      .returning({ grant: consoleTickets.grant, expiresAt: consoleTickets.expiresAt });
    if (!spent || spent.expiresAt <= this.o.clock.now()) return null;
    return spent.grant as unknown as ConsoleGrant;
  }
}
