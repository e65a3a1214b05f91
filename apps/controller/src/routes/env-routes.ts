import { controllerRoutes as r } from '@apiary/protocol';
import { bindRoute } from '../http/bind-route.js';
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
import type { RouteDeps } from './route-deps.js';

export function registerEnvRoutes({ ctx, router, bind }: RouteDeps) {
  bindRoute(router, r.createEnv, bind, ({ principal, body, requestId }) =>
    createEnv(ctx, principal, body, requestId),
  );
  bindRoute(router, r.listEnvs, bind, ({ principal, query }) => listEnvs(ctx, principal, query));
  bindRoute(router, r.getEnv, bind, ({ principal, params }) => getEnv(ctx, principal, params.id));
  bindRoute(router, r.deleteEnv, bind, ({ principal, params, requestId }) =>
    deleteEnv(ctx, principal, params.id, requestId),
  );
  bindRoute(router, r.stopEnv, bind, ({ principal, params, requestId }) =>
    stopEnv(ctx, principal, params.id, requestId),
  );
  bindRoute(router, r.startEnv, bind, ({ principal, params, requestId }) =>
    startEnv(ctx, principal, params.id, requestId),
  );
  bindRoute(router, r.extendEnv, bind, ({ principal, params, body }) =>
    extendEnv(ctx, principal, params.id, body.seconds),
  );
  bindRoute(router, r.getVm, bind, ({ principal, params }) => getVm(ctx, principal, params.id));
  bindRoute(router, r.stopVm, bind, ({ principal, params, requestId }) =>
    powerVm(ctx, principal, params.id, 'stop', requestId),
  );
  bindRoute(router, r.startVm, bind, ({ principal, params, requestId }) =>
    powerVm(ctx, principal, params.id, 'start', requestId),
  );
  bindRoute(router, r.restartVm, bind, ({ principal, params, requestId }) =>
    powerVm(ctx, principal, params.id, 'restart', requestId),
  );
}
