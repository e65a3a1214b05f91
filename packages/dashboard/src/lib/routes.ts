/** Every screen of the dashboard, parsed from the URL path. */
export type Route =
  | { name: 'fleet' }
  | { name: 'host'; id: string }
  | { name: 'envs' }
  | { name: 'env-new' }
  /**
   * `org`: the environment's organization. Names are unique per organization only, so a
   * super-admin's link names the organization too (`/envs/shared?org=org_x`).
   */
  | { name: 'env'; id: string; org?: string }
  /** One VM: its configuration, disks, CD-ROM, snapshots and operations (`org` as for `env`). */
  | { name: 'vm'; id: string; org?: string }
  | { name: 'images' }
  | { name: 'keys' }
  | { name: 'orgs' }
  | { name: 'users' }
  | { name: 'not-found'; path: string };

/**
 * Client-side routes. None starts with /v1 or /api: those belong to the controller's API, so a
 * deep link can always be told apart from an API call by the server's SPA fallback.
 */
export function matchRoute(pathname: string, search = ''): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  const parts = path.split('/').filter(Boolean).map(safeDecode);
  const [first, second, extra] = parts;
  if (parts.length === 0) return { name: 'fleet' };
  if (first === 'hosts' && second && !extra) return { name: 'host', id: second };
  if (first === 'hosts' && !second) return { name: 'fleet' };
  if (first === 'envs' && !second) return { name: 'envs' };
  if (first === 'envs' && second === 'new' && !extra) return { name: 'env-new' };
  if (first === 'envs' && second && !extra) {
    const org = new URLSearchParams(search).get('org');
    return org ? { name: 'env', id: second, org } : { name: 'env', id: second };
  }
  if (first === 'vms' && second && !extra) {
    const org = new URLSearchParams(search).get('org');
    return org ? { name: 'vm', id: second, org } : { name: 'vm', id: second };
  }
  if (first === 'images' && !second) return { name: 'images' };
  if (first === 'keys' && !second) return { name: 'keys' };
  if (first === 'orgs' && !second) return { name: 'orgs' };
  if (first === 'users' && !second) return { name: 'users' };
  return { name: 'not-found', path };
}

export function hrefFor(route: Route): string {
  switch (route.name) {
    case 'fleet':
      return '/';
    case 'host':
      return `/hosts/${encodeURIComponent(route.id)}`;
    case 'envs':
      return '/envs';
    case 'env-new':
      return '/envs/new';
    case 'env': {
      const path = `/envs/${encodeURIComponent(route.id)}`;
      return route.org ? `${path}?org=${encodeURIComponent(route.org)}` : path;
    }
    case 'vm': {
      const path = `/vms/${encodeURIComponent(route.id)}`;
      return route.org ? `${path}?org=${encodeURIComponent(route.org)}` : path;
    }
    case 'images':
      return '/images';
    case 'keys':
      return '/keys';
    case 'orgs':
      return '/orgs';
    case 'users':
      return '/users';
    case 'not-found':
      return route.path;
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
