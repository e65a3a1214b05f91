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
import type { RouteDeps } from './route-deps.js';

export function registerEnvRoutes({ ctx, router, bind }: RouteDeps) {
  bind(router, r.createEnv, ({ principal, body }) => createEnv(ctx, principal, body));
  bind(router, r.listEnvs, ({ principal, query }) => listEnvs(ctx, principal, query));
  bind(router, r.getEnv, ({ principal, params }) => getEnv(ctx, principal, params.id));
  bind(router, r.deleteEnv, ({ principal, params }) => deleteEnv(ctx, principal, params.id));
  bind(router, r.stopEnv, ({ principal, params }) => stopEnv(ctx, principal, params.id));
  bind(router, r.startEnv, ({ principal, params }) => startEnv(ctx, principal, params.id));
  bind(router, r.extendEnv, ({ principal, params, body }) =>
    extendEnv(ctx, principal, params.id, body.seconds),
  );
  bind(router, r.getVm, ({ principal, params }) => getVm(ctx, principal, params.id));
  bind(router, r.stopVm, ({ principal, params }) => powerVm(ctx, principal, params.id, 'stop'));
  bind(router, r.startVm, ({ principal, params }) => powerVm(ctx, principal, params.id, 'start'));
  bind(router, r.restartVm, ({ principal, params }) =>
    powerVm(ctx, principal, params.id, 'restart'),
  );
}
