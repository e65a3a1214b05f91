import { agentRoutes } from '@apiary/protocol';
import type { Hono } from 'hono';
import type { AgentDeps } from '../deps.js';
import type { AgentEnv } from '../http/env.js';
import type { Bind } from '../http/route-binding.js';

export function mountVmRoutes(app: Hono<AgentEnv>, deps: AgentDeps, bind: Bind): void {
  const { vms } = deps;
  bind(app, agentRoutes.listVms, async ({ query }) => {
    const { items, total } = await vms.list(query.limit, query.offset);
    return { items, total, limit: query.limit, offset: query.offset };
  });
  bind(app, agentRoutes.createVm, ({ body }) => vms.create(body));
  bind(app, agentRoutes.getVm, ({ params }) => vms.get(params.id));
  bind(app, agentRoutes.stopVm, ({ params }) => vms.action(params.id, 'stop'));
  bind(app, agentRoutes.startVm, ({ params }) => vms.action(params.id, 'start'));
  bind(app, agentRoutes.restartVm, ({ params }) => vms.action(params.id, 'restart'));
  const { recipes } = deps;
  if (recipes) {
    bind(app, agentRoutes.runRecipe, ({ params, body }) => recipes.start(params.id, body));
  }
  bind(app, agentRoutes.deleteVm, ({ params }) => vms.delete(params.id));
  bind(app, agentRoutes.listHostVms, () => vms.hostVms());
  bind(app, agentRoutes.listOperations, ({ query }) => vms.operationsOfRequest(query.request_id));
  bind(app, agentRoutes.getOperation, ({ params }) => vms.operation(params.id));
}
