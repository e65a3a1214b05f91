import { type AgentRole, ApiError } from '@apiary/protocol';
import { roleAllows, verifyApiKey } from '../auth/api-keys.js';
import type { Db } from '../db/open.js';

/** The caller of an `agent_key` route or console: a live `wh_` key with its role. */
export interface KeyPrincipal {
  keyId: string;
  role: AgentRole;
}

/**
 * Checks `Authorization: Bearer wh_...` for at least `role`. One rule for routes (through the
 * route binder, before any body is read) and console websockets (before the upgrade).
 */
export function authenticateKey(db: Db, authorization: string | undefined, role: AgentRole) {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) throw new ApiError('unauthenticated', 'missing bearer API key');
  const key = verifyApiKey(db, match[1] as string);
  if (!key) throw new ApiError('unauthenticated', 'invalid API key');
  if (!roleAllows(key.role, role)) {
    throw new ApiError('forbidden', `this key has role ${key.role}; ${role} is required`);
  }
  return { keyId: key.id, role: key.role } satisfies KeyPrincipal;
}
