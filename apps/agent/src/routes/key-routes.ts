import { ApiError, agentRoutes } from '@apiary/protocol';
import type { Hono } from 'hono';
import { countUserKeys, createApiKey, deleteApiKey, listApiKeys } from '../auth/api-keys.js';
import { checkClaimToken, removeClaimToken } from '../auth/claim-token.js';
import type { AgentDeps } from '../deps.js';
import type { AgentEnv } from '../http/env.js';
import type { Bind } from '../http/route-binding.js';

export function mountKeyRoutes(app: Hono<AgentEnv>, deps: AgentDeps, bind: Bind): void {
  const { db } = deps;
  bind(app, agentRoutes.listApiKeys, ({ query }) => {
    const { items, total } = listApiKeys(db, query.limit, query.offset);
    return { items, total, limit: query.limit, offset: query.offset };
  });
  bind(app, agentRoutes.createApiKey, ({ body }) => {
    const { record, key } = createApiKey(db, { name: body.name, role: body.role });
    deps.log.info({ key_id: record.id, role: record.role }, 'api key created');
    return { ...record, key };
  });
  bind(app, agentRoutes.deleteApiKey, ({ params }) => {
    if (!deleteApiKey(db, params.id)) throw new ApiError('not_found', `no API key ${params.id}`);
    return { ok: true as const };
  });
  bind(app, agentRoutes.bootstrapApiKey, ({ body }) => {
    if (countUserKeys(db) > 0) throw new ApiError('conflict', 'this agent already has an API key');
    if (!checkClaimToken(deps.dataDir, body.claim_token)) {
      throw new ApiError('forbidden', 'invalid claim token (see claim-token in the data dir)');
    }
    const { record, key } = createApiKey(db, { name: body.name, role: 'admin' });
    removeClaimToken(deps.dataDir);
    deps.log.info({ key_id: record.id }, 'bootstrap key created');
    return { ...record, key };
  });
}
