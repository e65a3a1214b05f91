import type { Inventory } from '@apiary/protocol';
import type { HostResources } from '../capacity/host-capacity.js';
import { usedResources } from '../capacity/host-capacity.js';
import { currentGeneration } from '../db/meta-store.js';
import type { Db } from '../db/open.js';
import type { Layout } from '../host/layout.js';
import { listImageRows } from '../images/image-store.js';
import { inventoryNetworks } from '../network/network-service.js';
import { listVmRows } from '../vms/vm-store.js';
import { presentVms } from '../vms/vm-view.js';

/** What the controller is told about this host; built from the database, no host command. */
export function buildInventory(db: Db, layout: Layout, resources: HostResources): Inventory {
  const vms = presentVms(db, layout, listVmRows(db));
  return {
    generation: currentGeneration(db),
    resources: { total: resources.total(), used: usedResources(db) },
    images: listImageRows(db).map((r) => r.digest as Inventory['images'][number]),
    vms: vms.map((vm) => ({
      id: vm.id,
      env_id: vm.env_id,
      state: vm.state,
      error: vm.error,
      ip: vm.ip,
      port_map: vm.port_map,
      generation: vm.generation,
      ...(vm.nics ? { nics: vm.nics } : {}),
    })),
    networks: inventoryNetworks(db),
  };
}
