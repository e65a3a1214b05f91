import type { Organization } from '@apiary/protocol';

/**
 * How an organization is shown: its name when the caller could list it, its id otherwise (a
 * member reading a host of another organization, or before the list arrives). A null id is a
 * shared resource.
 */
export function orgLabel(
  orgs: readonly Organization[] | undefined,
  id: string | null,
  none = 'shared',
): string {
  if (id === null) return none;
  return orgs?.find((o) => o.id === id)?.name ?? id;
}
