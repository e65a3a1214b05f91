import { ApiError } from '@apiary/protocol';
import type { Clock } from '../../lib/clock.js';
import { newSecret, sha256Hex } from '../../lib/secrets.js';
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
  /** Unused tickets one caller may hold at once (a loop asking for tickets cannot grow memory). */
  perCaller?: number;
  /** Unused tickets in all. */
  total?: number;
}

/**
 * Single-use console tickets, in memory only: a ticket is worth one websocket within `ttlMs`,
 * so there is nothing worth persisting, and a restart simply invalidates the few outstanding.
 * Only the sha256 of a ticket is kept; the ticket itself goes to the caller once.
 */
export class ConsoleTickets {
  private readonly entries = new Map<string, Entry>();
  private readonly perCaller: number;
  private readonly total: number;

  constructor(private readonly o: ConsoleTicketOptions) {
    this.perCaller = o.perCaller ?? 32;
    this.total = o.total ?? 10_000;
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
    const caller = callerOf(grant.principal);
    let held = 0;
    for (const e of this.entries.values()) if (callerOf(e.principal) === caller) held++;
    if (held >= this.perCaller || this.entries.size >= this.total) {
      throw new ApiError(
        'rate_limited',
        `too many unused console tickets; use one or wait ${Math.ceil(this.o.ttlMs / 1000)} s`,
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
    this.entries.delete(key);
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
      this.entries.delete(key);
    }
  }
}

function callerOf(p: Principal): string {
  return p.sessionId ?? p.apiKeyId ?? p.userId ?? p.via;
}
