import { controllerRoutes as r } from '@apiary/protocol';
import {
  createHostLink,
  deleteHostLink,
  getHostForwarding,
  getHostNat,
  listHostAddresses,
  listHostLinks,
  setHostForwarding,
} from '../services/host-resources/host-links.js';
import {
  createHostNetwork,
  deleteHostNetwork,
  listHostNetworks,
} from '../services/host-resources/host-networks.js';
import {
  addHostSwap,
  createHostDataset,
  deleteHostDataset,
  listHostDatasets,
  listHostPools,
  listHostSwap,
  removeHostSwap,
  updateHostDataset,
} from '../services/host-resources/host-storage.js';
import type { RouteDeps } from './route-deps.js';

/** A host's links, networks and storage (issue 14): each passed through to its agent. */
export function registerHostResourceRoutes({ ctx, router, bind, refreshInventory }: RouteDeps) {
  bind(router, r.listHostLinks, ({ principal, params }) =>
    listHostLinks(ctx, principal, params.id),
  );
  bind(router, r.createHostLink, ({ principal, params, body }) =>
    createHostLink(ctx, principal, params.id, body),
  );
  bind(router, r.deleteHostLink, ({ principal, params }) =>
    deleteHostLink(ctx, principal, params.id, params.name),
  );
  bind(router, r.listHostAddresses, ({ principal, params }) =>
    listHostAddresses(ctx, principal, params.id),
  );
  bind(router, r.getHostForwarding, ({ principal, params }) =>
    getHostForwarding(ctx, principal, params.id),
  );
  bind(router, r.setHostForwarding, ({ principal, params, body }) =>
    setHostForwarding(ctx, principal, params.id, body),
  );
  bind(router, r.getHostNat, ({ principal, params }) => getHostNat(ctx, principal, params.id));

  bind(router, r.listHostNetworks, ({ principal, params }) =>
    listHostNetworks(ctx, principal, params.id),
  );
  bind(router, r.createHostNetwork, ({ principal, params, body }) =>
    createHostNetwork(ctx, principal, params.id, body, refreshInventory),
  );
  bind(router, r.deleteHostNetwork, ({ principal, params }) =>
    deleteHostNetwork(ctx, principal, params.id, params.name, refreshInventory),
  );

  bind(router, r.listHostPools, ({ principal, params }) =>
    listHostPools(ctx, principal, params.id),
  );
  bind(router, r.listHostDatasets, ({ principal, params, query }) =>
    listHostDatasets(ctx, principal, params.id, query),
  );
  bind(router, r.createHostDataset, ({ principal, params, body }) =>
    createHostDataset(ctx, principal, params.id, body),
  );
  bind(router, r.updateHostDataset, ({ principal, params, body }) =>
    updateHostDataset(ctx, principal, params.id, params.name, body),
  );
  bind(router, r.deleteHostDataset, ({ principal, params, query }) =>
    deleteHostDataset(ctx, principal, params.id, params.name, query.recursive),
  );
  bind(router, r.listHostSwap, ({ principal, params }) => listHostSwap(ctx, principal, params.id));
  bind(router, r.addHostSwap, ({ principal, params, body }) =>
    addHostSwap(ctx, principal, params.id, body),
  );
  bind(router, r.removeHostSwap, ({ principal, params, query }) =>
    removeHostSwap(ctx, principal, params.id, params.name, query.destroy),
  );
}
