import { ApiError } from '@apiary/protocol';
import type { Ctx } from '../context.js';
import { quotaRefusal, type TenantLimits, TenantQuota } from '../lib/tenant-quota.js';
import type { Principal } from '../services/auth/principal.js';
import { isPrincipalCurrent } from '../services/auth/principal-current.js';

/** Open event streams at once, per user, per organization and in all. */
export const EVENT_STREAM_LIMITS: TenantLimits = { perUser: 16, perOrg: 128, total: 4_000 };

/**
 * Events queued for one stream before its client counts as fallen behind and is dropped: it
 * reconnects and re-fetches (the dashboard does on every reconnection), rather than the
 * controller holding an ever-growing queue for a client that does not read.
 */
export const MAX_QUEUED_EVENTS = 512;

export interface OpenStream {
  principal: Principal;
  /** Ends the stream now, whatever it is doing (a write stuck on a client that does not read). */
  drop(reason: 'revoked' | 'behind' | 'shutdown'): void;
}

/**
 * The open `GET /v1/events` streams: bounded per tenant, and re-checked like consoles, so a
 * revoked key, an ended session or a disabled user stops receiving events within one check.
 */
export class EventStreams {
  private readonly open = new Set<OpenStream>();
  private readonly quota: TenantQuota;

  constructor(
    private readonly ctx: Ctx,
    limits: Partial<TenantLimits> = {},
  ) {
    this.quota = new TenantQuota({ ...EVENT_STREAM_LIMITS, ...limits });
  }

  /** Registers a stream about to open, or refuses it (429) when its tenant holds too many. */
  admit(stream: OpenStream): () => void {
    const refused = this.quota.take(stream.principal);
    if (refused) {
      throw new ApiError(
        'rate_limited',
        `too many open event streams (${quotaRefusal(refused, this.quota.limits)}); close one`,
        { retryAfterSeconds: 10 },
      );
    }
    this.open.add(stream);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open.delete(stream);
      this.quota.give(stream.principal);
    };
  }

  /** Drops the streams whose caller's credential was revoked or expired, or user disabled. */
  async closeRevoked(): Promise<number> {
    let dropped = 0;
    for (const stream of [...this.open]) {
      if (await isPrincipalCurrent(this.ctx, stream.principal)) continue;
      stream.drop('revoked');
      dropped++;
    }
    return dropped;
  }

  closeAll(): void {
    for (const stream of [...this.open]) stream.drop('shutdown');
  }

  get size(): number {
    return this.open.size;
  }
}
