import { describe, expect, it } from 'vitest';
import {
  canManageOrgs,
  canManageUsers,
  grantableRoles,
  roleChoices,
  seesEveryOrg,
} from '../../src/lib/tenancy-access.js';

describe('tenancy access', () => {
  it('shows organizations to super-admins only and users to org admins and up', () => {
    expect([
      canManageOrgs('member'),
      canManageOrgs('org_admin'),
      canManageOrgs('super_admin'),
    ]).toEqual([false, false, true]);
    expect([
      canManageUsers('member'),
      canManageUsers('org_admin'),
      canManageUsers('super_admin'),
    ]).toEqual([false, true, true]);
    expect(canManageUsers(undefined)).toBe(false);
    expect(seesEveryOrg('org_admin')).toBe(false);
  });

  it('never offers a role above the granter’s own', () => {
    expect(grantableRoles('member')).toEqual(['member']);
    expect(grantableRoles('org_admin')).toEqual(['member', 'org_admin']);
    expect(grantableRoles('super_admin')).toEqual(['member', 'org_admin', 'super_admin']);
    expect(grantableRoles(undefined)).toEqual([]);
  });

  it('moves organization users between member and org admin, and leaves super-admins alone', () => {
    expect(roleChoices('super_admin', { role: 'member' })).toEqual(['member', 'org_admin']);
    expect(roleChoices('org_admin', { role: 'org_admin' })).toEqual(['member', 'org_admin']);
    expect(roleChoices('super_admin', { role: 'super_admin' })).toEqual([]);
  });
});
