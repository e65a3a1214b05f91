import { describe, expect, it } from 'vitest';
import { hasScope, Scope, ScopeList } from '../src/schemas/scopes.js';

describe('API key scopes', () => {
  it('grants every scope to a key without scopes, and a route without one to every key', () => {
    expect(hasScope(null, 'tenancy:admin')).toBe(true);
    expect(hasScope(['envs:read'], undefined)).toBe(true);
  });

  it('grants exactly the scopes held, reading included in changing the same resource', () => {
    expect(hasScope(['envs:read'], 'envs:read')).toBe(true);
    expect(hasScope(['envs:read'], 'envs:write')).toBe(false);
    expect(hasScope(['envs:write'], 'envs:read')).toBe(true);
    expect(hasScope(['hosts:admin'], 'hosts:read')).toBe(true);
    expect(hasScope(['hosts:admin'], 'envs:read')).toBe(false);
    expect(hasScope(['images:read'], 'images:write')).toBe(false);
  });

  it('accepts known scopes once each', () => {
    expect(Scope.safeParse('envs:delete').success).toBe(false);
    expect(ScopeList.safeParse([]).success).toBe(false);
    expect(ScopeList.safeParse(['envs:read', 'envs:read']).success).toBe(false);
    expect(ScopeList.safeParse(['envs:read', 'hosts:admin']).success).toBe(true);
  });
});
