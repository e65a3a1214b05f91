import { controllerRoutes as r } from '@apiary/protocol';
import { createEnv } from '../services/envs/create-env.js';
import {
  deleteEnv,
  extendEnv,
  getEnv,
  getVm,
  listEnvs,
  startEnv,
  stopEnv,
} from '../services/envs/manage-envs.js';
import { powerVm } from '../services/envs/vm-actions.js';
import { vmStats } from '../services/stats/usage-stats.js';
import type { RouteDeps } from './route-deps.js';

/** Environments and VMs are addressed by name within the caller's organization (`?org=`). */
export function registerEnvRoutes({ ctx, router, bind }: RouteDeps) {
  bind(router, r.createEnv, ({ principal, body }) => createEnv(ctx, principal, body));
  bind(router, r.listEnvs, async ({ principal, query }) => await listEnvs(ctx, principal, query));
  bind(router, r.getEnv, ({ principal: p, params, query }) => getEnv(ctx, p, params.id, query.org));
  bind(router, r.deleteEnv, ({ principal: p, params, query }) =>
    deleteEnv(ctx, p, params.id, query.org),
  );
  bind(router, r.stopEnv, ({ principal: p, params, query }) =>
    stopEnv(ctx, p, params.id, query.org),
  );
  bind(router, r.startEnv, ({ principal: p, params, query }) =>
    startEnv(ctx, p, params.id, query.org),
  );
  bind(router, r.extendEnv, ({ principal: p, params, body, query }) =>
    extendEnv(ctx, p, params.id, body.seconds, query.org),
  );
  bind(router, r.getVm, ({ principal: p, params, query }) => getVm(ctx, p, params.id, query.org));
  bind(router, r.vmStats, ({ principal: p, params, query }) => vmStats(ctx, p, params.id, query));
  for (const [route, action] of [
    [r.stopVm, 'stop'],
    [r.startVm, 'start'],
    [r.restartVm, 'restart'],
  ] as const) {
    bind(router, route, ({ principal: p, params, query }) =>
      powerVm(ctx, p, params.id, action, query.org),
    );
  }
}
