import { describe, expect, it } from 'vitest';
import { hrefFor, matchRoute } from '../../src/lib/routes.js';

describe('matchRoute', () => {
  it('parses every screen and tolerates a trailing slash', () => {
    expect(matchRoute('/')).toEqual({ name: 'fleet' });
    expect(matchRoute('/hosts/host_abc')).toEqual({ name: 'host', id: 'host_abc' });
    expect(matchRoute('/envs/')).toEqual({ name: 'envs' });
    expect(matchRoute('/envs/new')).toEqual({ name: 'env-new' });
    expect(matchRoute('/envs/web-1')).toEqual({ name: 'env', id: 'web-1' });
    expect(matchRoute('/vms/web-1')).toEqual({ name: 'vm', id: 'web-1' });
    expect(matchRoute('/images')).toEqual({ name: 'images' });
    expect(matchRoute('/keys')).toEqual({ name: 'keys' });
    expect(matchRoute('/orgs')).toEqual({ name: 'orgs' });
    expect(matchRoute('/users/')).toEqual({ name: 'users' });
  });

  it('reports unknown paths as not found instead of guessing', () => {
    expect(matchRoute('/envs/web-1/extra')).toEqual({
      name: 'not-found',
      path: '/envs/web-1/extra',
    });
    expect(matchRoute('/nope')).toMatchObject({ name: 'not-found' });
  });

  it("names an environment's organization when the link does (names are per organization)", () => {
    expect(matchRoute('/envs/shared', '?org=org_a')).toEqual({
      name: 'env',
      id: 'shared',
      org: 'org_a',
    });
    expect(hrefFor({ name: 'env', id: 'shared', org: 'org_a' })).toBe('/envs/shared?org=org_a');
    expect(matchRoute('/envs/shared', '')).toEqual({ name: 'env', id: 'shared' });
    expect(matchRoute('/vms/web-1', '?org=org_a')).toEqual({
      name: 'vm',
      id: 'web-1',
      org: 'org_a',
    });
    expect(hrefFor({ name: 'vm', id: 'web-1', org: 'org_a' })).toBe('/vms/web-1?org=org_a');
  });

  it('round-trips through hrefFor', () => {
    for (const path of [
      '/',
      '/hosts/host_x',
      '/envs',
      '/envs/new',
      '/envs/a-b',
      '/images',
      '/orgs',
      '/users',
      '/keys',
    ]) {
      expect(hrefFor(matchRoute(path))).toBe(path);
    }
  });
});
