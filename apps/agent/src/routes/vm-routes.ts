import { agentRoutes } from '@apiary/protocol';
import type { Hono } from 'hono';
import type { AgentDeps } from '../deps.js';
import type { AgentEnv } from '../http/env.js';
import { mountRoute } from '../http/mount.js';

export function mountVmRoutes(app: Hono<AgentEnv>, deps: AgentDeps): void {
  const { db, vms } = deps;
  const rid = (c: { get(k: 'requestId'): string }) => c.get('requestId');
  mountRoute(app, db, agentRoutes.listVms, async ({ query }) => {
    const { items, total } = await vms.list(query.limit, query.offset);
    return { items, total, limit: query.limit, offset: query.offset };
  });
  mountRoute(app, db, agentRoutes.createVm, ({ body, c }) => vms.create(body, rid(c)));
  mountRoute(app, db, agentRoutes.getVm, ({ params }) => vms.get(params.id));
  mountRoute(app, db, agentRoutes.stopVm, ({ params, c }) => vms.action(params.id, 'stop', rid(c)));
  mountRoute(app, db, agentRoutes.startVm, ({ params, c }) =>
    vms.action(params.id, 'start', rid(c)),
  );
  mountRoute(app, db, agentRoutes.restartVm, ({ params, c }) =>
    vms.action(params.id, 'restart', rid(c)),
  );
  mountRoute(app, db, agentRoutes.deleteVm, ({ params, c }) => vms.delete(params.id, rid(c)));
  mountRoute(app, db, agentRoutes.getOperation, ({ params }) => vms.operation(params.id));
}
