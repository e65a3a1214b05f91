import type { Organization } from '@apiary/protocol';

/**
 * How an organization is shown: its name when the caller could list it, its id otherwise (a
 * member reading a host of another organization, or before the list arrives). A host with no
 * organization is unassigned: the controller places no environment on it.
 */
export function orgLabel(
  orgs: readonly Organization[] | undefined,
  id: string | null,
  none = 'unassigned',
): string {
  if (id === null) return none;
  return orgs?.find((o) => o.id === id)?.name ?? id;
}
