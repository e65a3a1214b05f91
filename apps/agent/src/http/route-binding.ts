import { createRouteBinder } from '@apiary/server-kit';
import type { Context } from 'hono';
import type { Db } from '../db/open.js';
import { authenticateTransfer } from '../migrations/transfer-auth.js';
import type { AgentEnv } from './env.js';
import { authenticateKey } from './key-auth.js';

/**
 * The agent's route binder: every non-public route takes an agent API key of its role, or (the
 * `transfer` routes of a VM arriving) that import's transfer token.
 */
export function createAgentBinder(db: Db) {
  return createRouteBinder({
    authenticate: {
      agent_key: (c: Context<AgentEnv>, route) =>
        authenticateKey(db, c.req.header('authorization'), route.role ?? 'admin'),
      transfer: (c: Context<AgentEnv>) =>
        authenticateTransfer(db, c.req.header('authorization'), c.req.param('id')),
    },
  });
}
export type Bind = ReturnType<typeof createAgentBinder>;
