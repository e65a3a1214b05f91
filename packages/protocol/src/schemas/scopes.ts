import { z } from 'zod';

/*
 * API key scopes: `resource:action` tokens, as ZWRM's API tokens. Every user route names the one
 * scope it needs in its descriptor (`scope`), and the controller checks it in one place, before
 * the body is read. A scope narrows a key; it never widens its role: a `member` key with
 * `hosts:admin` still cannot administer hosts. Sessions and keys made without scopes hold every
 * scope. A write or admin scope includes the read scope of the same resource.
 */
export const SCOPES = {
  'envs:read': 'see environments and VMs, and follow their events',
  'envs:write': 'create, change, start, stop and delete environments and VMs; open consoles',
  'images:read': 'see images',
  'images:write': 'upload and delete images',
  'hosts:read': 'see hosts, their capacity, drains and the fleet status',
  'hosts:admin': 'add, change, drain and remove hosts; rotate, revoke and reset host credentials',
  'tenancy:read': 'see organizations, users, API keys and license keys',
  'tenancy:admin': 'create and delete organizations, users, API keys and license keys',
  'audit:read': 'read the audit trail of the organization (every organization for super-admins)',
} as const;

export const Scope = z.enum(
  Object.keys(SCOPES) as [keyof typeof SCOPES, ...(keyof typeof SCOPES)[]],
);
export type Scope = z.infer<typeof Scope>;

/** The scopes of a key: at least one, each once. */
export const ScopeList = z
  .array(Scope)
  .min(1)
  .max(Object.keys(SCOPES).length)
  .refine((list) => new Set(list).size === list.length, 'each scope once');

/**
 * Whether a key holding `held` (null: every scope) may call a route needing `needed`. Changing a
 * resource implies seeing it: `envs:write` grants `envs:read`, `hosts:admin` grants `hosts:read`.
 */
export function hasScope(held: readonly Scope[] | null, needed: Scope | undefined): boolean {
  if (needed === undefined || held === null || held.includes(needed)) return true;
  const [resource, action] = needed.split(':');
  return action === 'read' && held.some((s) => s.startsWith(`${resource}:`));
}
