import { newId } from '@apiary/server-kit';
import type { Database } from '../../db/database.js';
import { Lease } from './lease.js';
import type { LeaseSource, LeaseState } from './lease-holders.js';

/**
 * Background passes one controller of an installation runs at a time (reaper, drain worker,
 * reconcile, polling of added hosts): with several controllers on one PostgreSQL database, each
 * pass runs on whichever controller holds its lease, and another takes over when that one stops
 * renewing (it died, or was paused past the lease). A single controller (SQLite) needs none.
 */
export class SingletonPasses implements LeaseSource {
  readonly kind = 'pass';
  /** A handful of fixed names: each gets its own series at `/metrics`. */
  readonly seriesPerLease = true;
  private readonly byPass = new Map<string, Lease>();

  /** `holder`: this controller's id, the same for all its leases. */
  constructor(
    private readonly database: Database,
    private readonly holder: string = newId('ctl'),
  ) {}

  /**
   * Whether this controller should run the pass `name` now: it holds (or just took, or
   * renewed) its lease, valid for `ttlMs`. Always true on SQLite.
   */
  async mayRun(name: string, ttlMs: number): Promise<boolean> {
    if (this.database.engine !== 'postgres') return true;
    let lease = this.byPass.get(name);
    if (!lease) {
      lease = new Lease(this.database, `pass:${name}`, this.holder, ttlMs);
      this.byPass.set(name, lease);
    }
    return lease.acquireOrRenew();
  }

  /**
   * The lease pass `name` runs under, for its writes to be conditional on (`fence()`, `check()`),
   * or undefined when no lease is needed (SQLite: one controller).
   */
  fenceOf(name: string): Lease | undefined {
    const lease = this.byPass.get(name);
    return lease?.epoch === null ? undefined : lease;
  }

  /** Every pass lease this controller has asked for (`pass:reap`, ...), held or not. */
  leases(): LeaseState[] {
    return [...this.byPass.values()].map((l) => ({
      name: l.name,
      epoch: l.epoch,
      expiresAt: l.expiresAt,
    }));
  }

  /** Gives every lease up (a clean shutdown): another controller takes the passes at once. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.byPass.values()].map((l) => l.release().catch(() => {})));
  }
}
