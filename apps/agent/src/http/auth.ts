import { type AgentRole, ApiError } from '@apiary/protocol';
import type { MiddlewareHandler } from 'hono';
import { roleAllows, verifyApiKey } from '../auth/api-keys.js';
import type { Db } from '../db/open.js';
import type { AgentEnv } from './env.js';

/**
 * Bearer `wh_...` authentication with a minimum role. Runs before any body is read, so an
 * unauthenticated caller cannot make the agent parse (or buffer) anything.
 */
export function requireRole(db: Db, role: AgentRole): MiddlewareHandler<AgentEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError('unauthenticated', 'missing bearer API key');
    const key = verifyApiKey(db, match[1] as string);
    if (!key) throw new ApiError('unauthenticated', 'invalid API key');
    if (!roleAllows(key.role, role)) {
      throw new ApiError('forbidden', `this key has role ${key.role}; ${role} is required`);
    }
    c.set('principal', { keyId: key.id, role: key.role });
    await next();
  };
}
