import type { Role } from '@apiary/protocol';

/**
 * A host's links, networks and storage are administered by super-admins and the org admins of
 * its organization (the controller hides other organizations' hosts altogether).
 */
export function canAdministerHosts(role: Role | undefined): boolean {
  return role === 'org_admin' || role === 'super_admin';
}

/** Roles from least to most powerful: nobody grants a role above their own. */
const ROLE_ORDER: readonly Role[] = ['member', 'org_admin', 'super_admin'];

/** Organizations are created and deleted by super-admins only. */
export function canManageOrgs(role: Role | undefined): boolean {
  return role === 'super_admin';
}

/** Org admins manage the users of their organization; super-admins everyone's. */
export function canManageUsers(role: Role | undefined): boolean {
  return role === 'org_admin' || role === 'super_admin';
}

/** The roles `own` may give a new user: its own and those below it. */
export function grantableRoles(own: Role | undefined): Role[] {
  if (!own) return [];
  return ROLE_ORDER.slice(0, ROLE_ORDER.indexOf(own) + 1);
}

/**
 * The roles an existing user can be moved between. A super-admin belongs to no organization,
 * so the controller neither promotes an organization's user to it nor demotes one from it.
 */
export function roleChoices(own: Role | undefined, user: { role: Role }): Role[] {
  if (user.role === 'super_admin') return [];
  return grantableRoles(own).filter((r) => r !== 'super_admin');
}

export function roleLabel(role: Role): string {
  return role.replace('_', ' ');
}

/** Super-admins see every organization's resources, so lists name the organization for them. */
export function seesEveryOrg(role: Role | undefined): boolean {
  return role === 'super_admin';
}
