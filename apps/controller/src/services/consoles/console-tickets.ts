import { ApiError } from '@apiary/protocol';
import type { Clock } from '../../lib/clock.js';
import { newSecret, sha256Hex } from '../../lib/secrets.js';
import { quotaRefusal, type TenantLimits, TenantQuota } from '../../lib/tenant-quota.js';
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

interface Entry extends ConsoleGrant {
  expiresAt: number;
}

export interface ConsoleTicketOptions {
  clock: Clock;
  ttlMs: number;
  /**
   * Unused tickets held at once, per user, per organization and in all: a loop asking for
   * tickets cannot grow memory, and no tenant can use up the others' share.
   */
  limits?: Partial<TenantLimits>;
}

export const CONSOLE_TICKET_LIMITS: TenantLimits = { perUser: 32, perOrg: 256, total: 50_000 };

/**
 * Single-use console tickets, in memory only: a ticket is worth one websocket within `ttlMs`,
 * so there is nothing worth persisting, and a restart simply invalidates the few outstanding.
 * Only the sha256 of a ticket is kept; the ticket itself goes to the caller once.
 */
export class ConsoleTickets {
  private readonly entries = new Map<string, Entry>();
  private readonly held: TenantQuota;

  constructor(private readonly o: ConsoleTicketOptions) {
    this.held = new TenantQuota({ ...CONSOLE_TICKET_LIMITS, ...o.limits });
  }

  get ttlMs(): number {
    return this.o.ttlMs;
  }

  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  issue(grant: ConsoleGrant): { ticket: string; expiresAt: number } {
    this.sweep();
    const refused = this.held.take(grant.principal);
    if (refused) {
      // Every outstanding ticket is spent or expired within one ticket lifetime.
      throw new ApiError(
        'rate_limited',
        `too many unused console tickets (${quotaRefusal(refused, this.held.limits)}); use one or wait`,
        { retryAfterSeconds: this.o.ttlMs / 1000 },
      );
    }
    const { secret } = newSecret('apt');
    const expiresAt = this.o.clock.now() + this.o.ttlMs;
    this.entries.set(sha256Hex(secret), { ...grant, expiresAt });
    return { ticket: secret, expiresAt };
  }

  /** The grant of a valid ticket, which is spent by this call; null if unknown, used or expired. */
  consume(ticket: string): ConsoleGrant | null {
    if (!/^apt_[a-z2-7]{40}$/.test(ticket)) return null;
    const key = sha256Hex(ticket);
    const entry = this.entries.get(key);
    if (!entry) return null;
    this.remove(key, entry);
    if (entry.expiresAt <= this.o.clock.now()) return null;
    const { expiresAt: _, ...grant } = entry;
    return grant;
  }

  /**
   * Drops expired tickets. Every ticket lives equally long, so the Map's insertion order is
   * expiry order: stop at the first one still valid.
   */
  private sweep() {
    const now = this.o.clock.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.remove(key, entry);
    }
  }

  private remove(key: string, entry: Entry) {
    this.entries.delete(key);
    this.held.give(entry.principal);
  }
}
