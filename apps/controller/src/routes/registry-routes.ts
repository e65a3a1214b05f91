import { controllerRoutes as r } from '@apiary/protocol';
import {
  createRegistry,
  deleteRegistry,
  listRegistries,
  listRegistryBoxes,
} from '../services/registries/registries.js';
import type { RouteDeps } from './route-deps.js';

/** Box registries an organization pulls Vagrant boxes from (`/v1/registries`). */
export function registerRegistryRoutes({ ctx, router, bind }: RouteDeps) {
  bind(router, r.listRegistries, ({ principal, query }) =>
    listRegistries(ctx, principal, query.org),
  );
  bind(router, r.createRegistry, ({ principal, body }) => createRegistry(ctx, principal, body));
  bind(router, r.deleteRegistry, ({ principal, params }) =>
    deleteRegistry(ctx, principal, params.id),
  );
  bind(router, r.listRegistryBoxes, ({ principal, params, query }) =>
    listRegistryBoxes(ctx, principal, params.id, query.q),
  );
}
