import { ApiError, type EnvNic, isEnvNetworkName } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { vmNics } from '../db/schema.js';
import type { Layout } from '../host/layout.js';
import { nextFreeAddress, planAddressing } from './address-range.js';
import { envOverlayOfNetwork } from './env-overlay-store.js';
import { getNetworkRow, nicsOnNetwork } from './network-store.js';

/*
 * A VM's NICs, decided inside its create transaction: one per network it joins, in the order
 * asked, each VNIC named by the VM's slot and the NIC's index, each static address the lowest
 * free one of its network's range (the unique index on (network, ip) makes a collision
 * impossible, not just unlikely). A VM that joins only `nat` has no rows: its slot says it all.
 */

/** True when the VM's networks need NIC rows (anything but the plain `["nat"]`). */
export function needsNicRows(networks: string[] | undefined): networks is string[] {
  return networks !== undefined && !(networks.length === 1 && networks[0] === 'nat');
}

export function allocateNics(
  tx: Db,
  layout: Layout,
  vm: { id: string; envId: string; slot: number },
  networks: string[],
  envNic?: EnvNic,
): void {
  tx.delete(vmNics).where(eq(vmNics.vmId, vm.id)).run();
  networks.forEach((name, idx) => {
    let ip: string | null = null;
    let mac: string | null = null;
    if (name === 'nat') ip = layout.ip(vm.slot);
    else if (isEnvNetworkName(name)) {
      // The controller chose the address and MAC; the overlay must be this VM's environment's.
      const overlay = envOverlayOfNetwork(tx, name);
      if (overlay?.state !== 'ready' || overlay.envId !== vm.envId)
        throw new ApiError(
          'conflict',
          `this host has no network ${name} for environment ${vm.envId}`,
        );
      ip = envNic?.ip ?? null;
      mac = envNic?.mac ?? null;
    } else {
      const net = getNetworkRow(tx, name);
      if (net?.state !== 'ready')
        throw new ApiError('conflict', `this host has no network ${name}`);
      if (net.subnet) {
        const plan = planAddressing({ subnet: net.subnet, gateway: net.gateway, range: net.range });
        if (typeof plan === 'string') throw new ApiError('internal', plan);
        const taken = new Set(nicsOnNetwork(tx, name).map((n) => n.ip ?? ''));
        ip = nextFreeAddress(plan, taken);
        if (!ip) throw new ApiError('insufficient_capacity', `no free address on network ${name}`);
      }
    }
    tx.insert(vmNics)
      .values({ vmId: vm.id, idx, network: name, vnic: layout.vmNic(vm.slot, idx), ip, mac })
      .run();
  });
}

/** Give a VM's NICs back (its create failed and left nothing, or it was deleted). */
export function releaseNics(tx: Db, vmId: string): void {
  tx.delete(vmNics).where(eq(vmNics.vmId, vmId)).run();
}
