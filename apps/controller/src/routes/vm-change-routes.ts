import { controllerRoutes as r } from '@apiary/protocol';
import {
  addVmDisk,
  attachVmCdrom,
  detachVmCdrom,
  removeVmDisk,
  updateVm,
} from '../services/vm-changes/change-vm.js';
import { getOperation, listVmOperations } from '../services/vm-changes/operation-view.js';
import {
  cloneVmSnapshot,
  createVmSnapshot,
  deleteVmSnapshot,
  listVmSnapshots,
  publishVmSnapshot,
  rollbackVmSnapshot,
} from '../services/vm-changes/snapshot-changes.js';
import { migrateVm } from '../services/vm-migrations/migrate-vm.js';
import type { RouteDeps } from './route-deps.js';

/** Changing VMs (issue 13): every change is a durable operation, answered 202. */
export function registerVmChangeRoutes({ ctx, router, bind }: RouteDeps) {
  bind(router, r.updateVm, ({ principal: p, params, query, body }) =>
    updateVm(ctx, p, params.id, query, body),
  );
  bind(router, r.addVmDisk, ({ principal: p, params, query, body }) =>
    addVmDisk(ctx, p, params.id, body, query.org),
  );
  bind(router, r.removeVmDisk, ({ principal: p, params, query }) =>
    removeVmDisk(ctx, p, params.id, params.n, query.org),
  );
  bind(router, r.attachVmCdrom, ({ principal: p, params, query, body }) =>
    attachVmCdrom(ctx, p, params.id, body, query.org),
  );
  bind(router, r.detachVmCdrom, ({ principal: p, params, query }) =>
    detachVmCdrom(ctx, p, params.id, query.org),
  );
  // Moving a VM to another host (issue 15).
  bind(router, r.migrateVm, ({ principal: p, params, query, body }) =>
    migrateVm(ctx, p, params.id, body, query.org),
  );
  bind(router, r.listVmSnapshots, ({ principal: p, params, query }) =>
    listVmSnapshots(ctx, p, params.id, query),
  );
  bind(router, r.createVmSnapshot, ({ principal: p, params, query, body }) =>
    createVmSnapshot(ctx, p, params.id, body.name, query.org),
  );
  bind(router, r.rollbackVmSnapshot, ({ principal: p, params, query }) =>
    rollbackVmSnapshot(ctx, p, params.id, params.name, query),
  );
  bind(router, r.deleteVmSnapshot, ({ principal: p, params, query }) =>
    deleteVmSnapshot(ctx, p, params.id, params.name, query.org),
  );
  bind(router, r.cloneVmSnapshot, ({ principal: p, params, query, body }) =>
    cloneVmSnapshot(ctx, p, params.id, params.name, body, query.org),
  );
  bind(router, r.publishVmSnapshot, ({ principal: p, params, query, body }) =>
    publishVmSnapshot(ctx, p, params.id, params.name, body.name, query.org),
  );
  bind(router, r.listVmOperations, ({ principal: p, params, query }) =>
    listVmOperations(ctx, p, params.id, query),
  );
  bind(router, r.getVmOperation, ({ principal: p, params, query }) =>
    getOperation(ctx, p, params.id, query.org),
  );
}
