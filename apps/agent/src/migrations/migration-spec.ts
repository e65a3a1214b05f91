import { ApiError, type VmMigrationSpec } from '@apiary/protocol';
import type { Db } from '../db/open.js';
import { vnicMac } from '../host/dladm.js';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import { listDatasetTree } from '../host/zfs.js';
import { nicsOfVm } from '../network/network-store.js';
import { disksOf } from '../vms/vm-machine.js';
import { getVm, portsOf, type VmRow } from '../vms/vm-store.js';

/** The volumes of a VM by their names under its dataset: the boot disk, then data disks. */
export function volumeNames(vm: VmRow): string[] {
  return ['disk0', ...disksOf(vm).map((d) => `data${d.n}`)];
}

/**
 * What a target needs to make this VM again: its record, its forwards (kept there where the
 * ports are free), its VNIC's MAC (every NIC's network, MAC and static address when it joined
 * networks) and its volumes with their sizes, read from the host.
 */
export async function migrationSpec(
  deps: { db: Db; exec: HostExec; layout: Layout },
  id: string,
): Promise<VmMigrationSpec> {
  const { db, exec, layout } = deps;
  const vm = getVm(db, id);
  if (!vm) throw new ApiError('not_found', `no VM ${id}`);
  if (!['running', 'stopped'].includes(vm.state)) {
    throw new ApiError('conflict', `VM ${id} is ${vm.state}; it can move when running or stopped`);
  }
  const rows = await listDatasetTree(exec, layout.vmDataset(id));
  const volumes = volumeNames(vm).map((name) => {
    const row = rows.find((r) => r.name === `${layout.vmDataset(id)}/${name}`);
    if (row?.type !== 'volume' || !row.volsize) {
      throw new ApiError('conflict', `VM ${id} has no volume ${name} on this host`);
    }
    return { name, volsize: row.volsize };
  });
  const mac = vm.slot === null ? null : await vnicMac(exec, layout.vnic(vm.slot));
  // The MAC each VNIC has on the host (dladm's choice, unless the VM's record fixed it).
  const nics = await Promise.all(
    nicsOfVm(db, id).map(async (n) => ({
      network: n.network,
      mac: (await vnicMac(exec, n.vnic)) ?? n.mac,
      // A nat address is the slot's on this host: the new host gives its own.
      ip: n.network === 'nat' ? null : n.ip,
    })),
  );
  return {
    id: vm.id,
    env_id: vm.envId,
    image: vm.image,
    image_digest: vm.imageDigest,
    cpu: vm.cpu,
    mem: vm.mem,
    disk: vm.disk,
    disks: disksOf(vm),
    cdrom: vm.cdrom,
    boot_iso: vm.bootIso,
    ports: JSON.parse(vm.ports) as number[],
    port_map: Object.fromEntries(portsOf(db, id).map((p) => [String(p.guestPort), p.hostPort])),
    deny_outgoing: vm.denyOutgoing,
    ssh_keys: JSON.parse(vm.sshKeys) as string[],
    clone: vm.cloneMode,
    mac,
    ...(nics.length > 0 ? { nics } : {}),
    created_at: vm.createdAt,
    volumes,
  } as VmMigrationSpec;
}
