import type { Organization } from '@apiary/protocol';
import { orgLabel } from '../lib/org-names.js';
import { useQuery } from './use-query.js';

/**
 * The organizations the caller may see, from one cached query shared by every screen that
 * names an organization. A caller refused the list (a key without tenancy:read) just sees ids.
 */
export function useOrgs() {
  return useQuery('orgs', (api) => api.listOrgs({ query: { limit: 1000 } }), ['tenancy']);
}

/** A function naming an organization by id, falling back to the id itself. */
export function useOrgName(): (id: string | null, none?: string) => string {
  const orgs = useOrgs();
  const items: Organization[] | undefined = orgs.data?.items;
  return (id, none) => orgLabel(items, id, none);
}
