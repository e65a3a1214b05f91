import { describe, expect, it } from 'vitest';
import { orgLabel } from '../../src/lib/org-names.js';

const orgs = [
  { id: 'org_a', name: 'Acme', created_at: '2026-01-01T00:00:00Z' },
  { id: 'org_b', name: 'Beta Labs', created_at: '2026-01-02T00:00:00Z' },
];

describe('orgLabel', () => {
  it('names an organization by its name', () => {
    expect(orgLabel(orgs, 'org_b')).toBe('Beta Labs');
  });

  it('falls back to the id when the caller could not list it or the list has not arrived', () => {
    expect(orgLabel(orgs, 'org_zz')).toBe('org_zz');
    expect(orgLabel(undefined, 'org_a')).toBe('org_a');
  });

  it('says a host without an organization is unassigned, or what the caller asks', () => {
    expect(orgLabel(orgs, null)).toBe('unassigned');
    expect(orgLabel(orgs, null, '—')).toBe('—');
  });
});
