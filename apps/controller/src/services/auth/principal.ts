import { ApiError, type Role, type Scope } from '@apiary/protocol';

/** Who is calling, as every service sees it. `orgId` null means every organization. */
export interface Principal {
  via: 'session' | 'api_key' | 'localhost';
  role: Role;
  orgId: string | null;
  userId: string | null;
  apiKeyId: string | null;
  sessionId: string | null;
  /** What an API key is limited to (null: every scope; sessions and unscoped keys). */
  scopes: Scope[] | null;
}

const RANK: Record<Role, number> = { member: 1, org_admin: 2, super_admin: 3 };

export function roleAtLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

/** The weaker of two roles: an API key never does more than its user may do now. */
export function lowerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

export function requireRole(p: Principal, min: Role, action: string): void {
  if (!roleAtLeast(p.role, min)) {
    throw new ApiError('forbidden', `${action} needs the ${min} role (you are ${p.role})`);
  }
}

export function isSuperAdmin(p: Principal): boolean {
  return p.role === 'super_admin';
}

/** Whether the caller may see things of `orgId` (null: unassigned, super-admins only). */
export function canSeeOrg(p: Principal, orgId: string | null): boolean {
  return isSuperAdmin(p) || (orgId !== null && p.orgId === orgId);
}

/**
 * Out-of-scope objects answer 404 like missing ones, so one tenant cannot even learn that
 * another tenant's environment or host exists.
 */
export function assertVisible(p: Principal, orgId: string | null, what: string): void {
  if (!canSeeOrg(p, orgId)) throw new ApiError('not_found', `${what} not found`);
}

/** The organization filter for lists: undefined means no filter (super-admin). */
export function orgFilter(p: Principal): string | undefined {
  return isSuperAdmin(p) ? undefined : (p.orgId ?? '__none__');
}
