import type { Principal } from '../services/auth/principal.js';

/*
 * Bounded shared resources counted per tenant. A global cap alone lets one tenant exhaust it for
 * everyone (one member with many API keys, or one organization with many members); counting per
 * user and per organization bounds each tenant well below the global cap, which remains only as
 * the controller's own memory bound.
 */

export interface TenantLimits {
  /** Per user: a user's sessions and API keys together (a key without a user counts alone). */
  perUser: number;
  /** Per organization, all its users together (super-admins, of no organization, share one). */
  perOrg: number;
  /** In all: a bound on memory, reached only when many organizations are at their limits. */
  total: number;
}

/** Who a principal is for counting: its user, else the key itself. */
export function userKeyOf(p: Principal): string {
  if (p.userId) return `user:${p.userId}`;
  if (p.apiKeyId) return `key:${p.apiKeyId}`;
  return p.via;
}

export function orgKeyOf(p: Principal): string {
  return `org:${p.orgId ?? '-'}`;
}

export class TenantQuota {
  private readonly users = new Map<string, number>();
  private readonly orgs = new Map<string, number>();
  private all = 0;

  constructor(readonly limits: TenantLimits) {}

  /**
   * Takes one unit for `p`; returns null, or why not (`user`, `org`, `total`) without taking.
   */
  take(p: Principal): 'user' | 'org' | 'total' | null {
    const user = userKeyOf(p);
    const org = orgKeyOf(p);
    if ((this.users.get(user) ?? 0) >= this.limits.perUser) return 'user';
    if ((this.orgs.get(org) ?? 0) >= this.limits.perOrg) return 'org';
    if (this.all >= this.limits.total) return 'total';
    this.users.set(user, (this.users.get(user) ?? 0) + 1);
    this.orgs.set(org, (this.orgs.get(org) ?? 0) + 1);
    this.all++;
    return null;
  }

  /** Gives back a unit taken for `p`. */
  give(p: Principal): void {
    decrement(this.users, userKeyOf(p));
    decrement(this.orgs, orgKeyOf(p));
    this.all = Math.max(0, this.all - 1);
  }

  get size(): number {
    return this.all;
  }
}

function decrement(map: Map<string, number>, key: string) {
  const n = (map.get(key) ?? 0) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

/** Words for a refusal: who is at their limit. */
export function quotaRefusal(scope: 'user' | 'org' | 'total', limits: TenantLimits): string {
  if (scope === 'user') return `you hold ${limits.perUser} already`;
  if (scope === 'org') return `your organization holds ${limits.perOrg} already`;
  return `the controller holds ${limits.total} already`;
}
