import type { BhyveZoneSpec } from '../host/zonecfg-format.js';
import { type VmContext, vmIp, vmVnic } from './vm-context.js';

/** zonecfg attr names the agent stamps into every zone it creates. */
export const ATTR = {
  vmId: 'apiary-vm-id',
  envId: 'apiary-env-id',
  image: 'apiary-image',
  imageDigest: 'apiary-image-digest',
  cpu: 'apiary-cpu',
  mem: 'apiary-mem',
  disk: 'apiary-disk',
  ports: 'apiary-ports',
  denyOutgoing: 'apiary-deny-outgoing',
  slot: 'apiary-slot',
  clone: 'apiary-clone',
  generation: 'apiary-generation',
  createdAt: 'apiary-created-at',
} as const;

/**
 * The zone for a VM: bhyve brand, exclusive IP on its VNIC with L3 protection
 * (allowed-address), its disk, cloud-init from a user-data file, and Apiary's own identifiers
 * so the VM can be rediscovered from `zonecfg export` alone.
 */
export function buildZoneSpec(ctx: VmContext): BhyveZoneSpec {
  const { vm, layout } = ctx;
  const file = ctx.storage === 'file';
  // zvol: the disk is a device the zone may open. file: the VM's directory is lofs-mounted into
  // the zone at the same path, so bhyve (which runs inside the zone) opens the same file name.
  const disk = file ? layout.vmDiskFile(vm.id) : layout.vmDisk(vm.id);
  return {
    zonepath: layout.zonepath(vm.id),
    autoboot: false,
    ...(file
      ? { fs: [{ dir: layout.vmDir(vm.id), special: layout.vmDir(vm.id), options: ['nodevices'] }] }
      : {}),
    nets: [
      {
        physical: vmVnic(ctx),
        allowedAddress: `${vmIp(ctx)}/${layout.subnet.prefix}`,
        defrouter: layout.subnet.gateway,
      },
    ],
    devices: file ? [] : [`/dev/zvol/rdsk/${disk}`],
    attrs: [
      ['bootdisk', disk],
      ['vcpus', String(vm.cpu)],
      ['ram', `${vm.mem}M`],
      ['cloud-init', layout.userDataPath(vm.id)],
      [ATTR.vmId, vm.id],
      [ATTR.envId, vm.envId],
      [ATTR.image, vm.image],
      [ATTR.imageDigest, vm.imageDigest ?? ''],
      [ATTR.cpu, String(vm.cpu)],
      [ATTR.mem, String(vm.mem)],
      [ATTR.disk, String(vm.disk)],
      [ATTR.ports, ctx.ports.map((p) => `${p.guestPort}:${p.hostPort}`).join(',')],
      [ATTR.denyOutgoing, String(vm.denyOutgoing)],
      [ATTR.slot, String(vm.slot)],
      [ATTR.clone, vm.cloneMode],
      [ATTR.generation, String(vm.generation)],
      [ATTR.createdAt, vm.createdAt],
    ],
  };
}

/** `#cloud-config` user-data: hostname and the SSH keys for the default user and root. */
export function renderUserData(hostname: string, keys: string[]): string {
  // JSON strings are valid YAML double-quoted scalars: a key comment cannot break the document.
  const list = (indent: string) => keys.map((k) => `${indent}- ${JSON.stringify(k)}`).join('\n');
  const lines = ['#cloud-config', `hostname: ${hostname}`, 'disable_root: false'];
  if (keys.length > 0) {
    lines.push('ssh_authorized_keys:', list('  '));
    lines.push(
      'users:',
      '  - default',
      '  - name: root',
      '    ssh_authorized_keys:',
      list('      '),
    );
  }
  return `${lines.join('\n')}\n`;
}
