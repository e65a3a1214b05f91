import { isIPv4, isIPv6 } from 'node:net';
import { ApiError } from '@apiary/protocol';
import type { Clock } from '../../lib/clock.js';

/*
 * Login attempts are rate limited per username and per source address, with token buckets:
 * every attempt takes a token from both before its password is checked (so 60 parallel attempts
 * count as 60, not as whatever had failed by the time each started), and a successful login
 * gives its tokens back. Only failures and attempts in flight use up the allowance.
 *
 * The per-user bucket also protects users whose password is guessed from many addresses; its
 * price is that someone failing on purpose can delay that user's logins for a while (sessions
 * and API keys keep working). Source addresses are the TCP peer's: a proxy in front of the
 * controller makes every client one address (see docs/security.md).
 */

interface Bucket {
  tokens: number;
  at: number;
}

export interface BucketLimit {
  /** Attempts allowed at once. */
  burst: number;
  /** One more attempt every this many ms. */
  refillMs: number;
}

export const LOGIN_LIMITS = {
  user: { burst: 10, refillMs: 6_000 },
  address: { burst: 30, refillMs: 2_000 },
} as const satisfies Record<string, BucketLimit>;

/** Buckets remembered at most (least recently used forgotten first: memory stays bounded). */
const MAX_BUCKETS = 20_000;

export interface LoginAttempt {
  /** The password was right: the attempt does not count against anyone. */
  succeeded(): void;
}

export class LoginThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: { user: BucketLimit; address: BucketLimit } = LOGIN_LIMITS,
  ) {}

  /** Takes a token for this username and this address, or refuses with 429 and Retry-After. */
  begin(username: string, address: string | undefined): LoginAttempt {
    const keys: Array<[string, BucketLimit, string]> = [
      [`user:${username.toLowerCase()}`, this.limits.user, 'for this user'],
      [`addr:${addressKey(address)}`, this.limits.address, 'from your address'],
    ];
    const now = this.clock.now();
    const buckets = keys.map(([key, limit]) => this.refilled(key, limit, now));
    for (const [i, bucket] of buckets.entries()) {
      if (bucket.tokens >= 1) continue;
      const [, limit, whose] = keys[i] as [string, BucketLimit, string];
      const wait = Math.ceil(((1 - bucket.tokens) * limit.refillMs) / 1000);
      throw new ApiError(
        'rate_limited',
        `too many failed logins ${whose}; try again in ${wait} s`,
        { retryAfterSeconds: wait },
      );
    }
    for (const bucket of buckets) bucket.tokens -= 1;
    let settled = false;
    return {
      succeeded: () => {
        if (settled) return;
        settled = true;
        for (const [i, bucket] of buckets.entries()) {
          const limit = (keys[i] as [string, BucketLimit, string])[1];
          bucket.tokens = Math.min(limit.burst, bucket.tokens + 1);
        }
      },
    };
  }

  private refilled(key: string, limit: BucketLimit, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
      bucket.tokens = Math.min(limit.burst, bucket.tokens + (now - bucket.at) / limit.refillMs);
      bucket.at = now;
    } else {
      bucket = { tokens: limit.burst, at: now };
      if (this.buckets.size >= MAX_BUCKETS) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    // Re-inserted: the Map's order is least recently used first.
    this.buckets.set(key, bucket);
    return bucket;
  }
}

/**
 * One bucket per IPv4 address and per IPv6 /64 (one machine usually holds a whole /64, so
 * counting single IPv6 addresses would give it billions of buckets).
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1];
  if (mapped) return mapped;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return 'unknown';
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail = ''] = address.replace(/%.*$/, '').split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = Array(8 - left.length - right.length).fill('0');
  return [...left, ...(address.includes('::') ? fill : []), ...right].map((g) =>
    g.toLowerCase().replace(/^0+(?=.)/, ''),
  );
}
