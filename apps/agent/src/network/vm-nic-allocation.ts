import { ApiError, type EnvNic, isEnvNetworkName, type MigrationNic } from '@apiary/protocol';
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

/** The environment's overlay network `name` on this host, refused when it is not there. */
function requireOverlay(tx: Db, name: string, envId: string): void {
  const overlay = envOverlayOfNetwork(tx, name);
  if (overlay?.state !== 'ready' || overlay.envId !== envId)
    throw new ApiError('conflict', `this host has no network ${name} for environment ${envId}`);
}

function requireNetwork(tx: Db, name: string) {
  const net = getNetworkRow(tx, name);
  if (net?.state !== 'ready') throw new ApiError('conflict', `this host has no network ${name}`);
  return net;
}

/** The lowest free static address of a network with a subnet (null: DHCP gives it). */
function freshAddress(tx: Db, net: ReturnType<typeof requireNetwork>): string | null {
  if (!net.subnet) return null;
  const plan = planAddressing({ subnet: net.subnet, gateway: net.gateway, range: net.range });
  if (typeof plan === 'string') throw new ApiError('internal', plan);
  const taken = new Set(nicsOnNetwork(tx, net.name).map((n) => n.ip ?? ''));
  const ip = nextFreeAddress(plan, taken);
  if (!ip) throw new ApiError('insufficient_capacity', `no free address on network ${net.name}`);
  return ip;
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
      requireOverlay(tx, name, vm.envId);
      ip = envNic?.ip ?? null;
      mac = envNic?.mac ?? null;
    } else ip = freshAddress(tx, requireNetwork(tx, name));
    tx.insert(vmNics)
      .values({ vmId: vm.id, idx, network: name, vnic: layout.vmNic(vm.slot, idx), ip, mac })
      .run();
  });
}

/**
 * The NICs of a VM moved here (an import): the same networks in the same order, each with the
 * MAC it had (its peers' ARP caches and DHCP leases name it) and the static address it had on a
 * bridged, private or overlay network; a nat NIC takes this host's slot address (the host NATs
 * it). An address another VM here holds is refused: the two would fight on the wire.
 */
export function allocateKeptNics(
  tx: Db,
  layout: Layout,
  vm: { id: string; envId: string; slot: number },
  nics: MigrationNic[],
): void {
  if (new Set(nics.map((n) => n.network)).size !== nics.length) {
    throw new ApiError('validation', 'spec.nics lists a network twice');
  }
  if (nics.filter((n) => isEnvNetworkName(n.network)).length > 1) {
    throw new ApiError('validation', 'spec.nics lists more than one environment network');
  }
  tx.delete(vmNics).where(eq(vmNics.vmId, vm.id)).run();
  nics.forEach((nic, idx) => {
    let ip: string | null = null;
    if (nic.network === 'nat') ip = layout.ip(vm.slot);
    else if (isEnvNetworkName(nic.network)) {
      requireOverlay(tx, nic.network, vm.envId);
      if (!nic.ip || !nic.mac)
        throw new ApiError('validation', `the NIC on ${nic.network} needs its MAC and address`);
      ip = nic.ip;
    } else {
      const net = requireNetwork(tx, nic.network);
      ip = net.subnet ? (nic.ip ?? freshAddress(tx, net)) : null;
    }
    if (ip && nic.network !== 'nat' && nicsOnNetwork(tx, nic.network).some((n) => n.ip === ip)) {
      throw new ApiError('conflict', `address ${ip} on network ${nic.network} is taken here`);
    }
    tx.insert(vmNics)
      .values({
        vmId: vm.id,
        idx,
        network: nic.network,
        vnic: layout.vmNic(vm.slot, idx),
        ip,
        mac: nic.mac,
      })
      .run();
  });
}

/** Give a VM's NICs back (its create failed and left nothing, or it was deleted). */
export function releaseNics(tx: Db, vmId: string): void {
  tx.delete(vmNics).where(eq(vmNics.vmId, vmId)).run();
}
