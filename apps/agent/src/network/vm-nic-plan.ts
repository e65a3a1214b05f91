import { isEnvNetworkName, type VmNic } from '@apiary/protocol';
import type { Db } from '../db/open.js';
import type { Layout } from '../host/layout.js';
import { parseSubnet } from '../host/layout.js';
import { envOverlayOfNetwork } from './env-overlay-store.js';
import { getNetworkRow, nicsOfVm, type VmNicRow } from './network-store.js';

/**
 * What the host needs for each NIC of a VM: the VNIC, the link it goes over (and VLAN tag),
 * and for a static address its prefix, gateway and DNS. NIC 0 is the primary: only it gets the
 * default route (two default routes would fight).
 */
export interface NicPlan {
  network: string;
  vnic: string;
  over: string;
  vlan: number | null;
  ip: string | null;
  prefix: number | null;
  gateway: string | null;
  dns: string[];
  /**
   * A fixed MAC address (an environment overlay's NIC, or any NIC of a VM moved here from
   * another host), else null: dladm picks one.
   */
  mac: string | null;
}

function natNic(layout: Layout, vnic: string, ip: string | null, mac: string | null): NicPlan {
  return {
    network: 'nat',
    vnic,
    over: layout.etherstub,
    vlan: null,
    ip,
    prefix: layout.subnet.prefix,
    gateway: layout.subnet.gateway,
    dns: [],
    mac,
  };
}

/** A NIC on an environment overlay: no gateway (the overlay is the environment's own L2). */
function envNic(db: Db, row: VmNicRow): NicPlan {
  const overlay = envOverlayOfNetwork(db, row.network);
  if (!overlay) throw new Error(`VM ${row.vmId} is on network ${row.network}, which is gone`);
  return {
    network: row.network,
    vnic: row.vnic,
    over: overlay.link,
    vlan: null,
    ip: row.ip,
    prefix: parseSubnet(overlay.subnet).prefix,
    gateway: null,
    dns: [],
    mac: row.mac,
  };
}

function planOf(db: Db, layout: Layout, row: VmNicRow): NicPlan {
  if (row.network === 'nat') return natNic(layout, row.vnic, row.ip, row.mac);
  if (isEnvNetworkName(row.network)) return envNic(db, row);
  const net = getNetworkRow(db, row.network);
  // A network deleted under a VM is refused (it is in use): a missing row is a bug to surface.
  if (!net) throw new Error(`VM ${row.vmId} is on network ${row.network}, which is gone`);
  return {
    network: row.network,
    vnic: row.vnic,
    over: net.link,
    vlan: net.vlan,
    ip: row.ip,
    prefix: net.subnet ? parseSubnet(net.subnet).prefix : null,
    gateway: net.gateway,
    dns: JSON.parse(net.dns) as string[],
    mac: row.mac,
  };
}

/** A VM's NICs, primary first; a VM with no NIC rows has its one `nat` NIC of its slot. */
export function nicPlan(db: Db, layout: Layout, vm: { id: string; slot: number | null }) {
  const rows = nicsOfVm(db, vm.id);
  if (rows.length > 0) return rows.map((r) => planOf(db, layout, r));
  return vm.slot === null ? [] : [natNic(layout, layout.vnic(vm.slot), layout.ip(vm.slot), null)];
}

export function presentNics(plans: NicPlan[]): VmNic[] {
  return plans.map((p) => ({ network: p.network, vnic: p.vnic, ip: p.ip }));
}
