import type { BhyveZoneSpec } from '../host/zonecfg-format.js';
import type { VmContext } from './vm-context.js';
import { machineOf } from './vm-machine.js';
import { MACHINE_ATTR, machineResources } from './zone-machine.js';

/** zonecfg attr names the agent stamps into every zone it creates. */
export const ATTR = {
  vmId: 'apiary-vm-id',
  envId: 'apiary-env-id',
  image: 'apiary-image',
  imageDigest: 'apiary-image-digest',
  cpu: MACHINE_ATTR.cpu,
  mem: MACHINE_ATTR.mem,
  disk: MACHINE_ATTR.disk,
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
  const machine = machineResources(layout, vm, machineOf(vm));
  const [vcpus, ram, cpu, mem, diskSize, ...extra] = machine.attrs;
  return {
    zonepath: layout.zonepath(vm.id),
    autoboot: false,
    fs: [
      ...(file
        ? [{ dir: layout.vmDir(vm.id), special: layout.vmDir(vm.id), options: ['nodevices'] }]
        : []),
      ...machine.fs,
    ],
    nets: zoneNets(ctx),
    devices: [...(file ? [] : [`/dev/zvol/rdsk/${disk}`]), ...machine.devices],
    attrs: [
      ['bootdisk', disk],
      vcpus!,
      ram!,
      ['cloud-init', layout.userDataPath(vm.id)],
      // A framebuffer on <zonepath>/root/tmp/vm.vnc for the VNC console websocket.
      ['vnc', 'on'],
      // The brand writes nameservers on the first NIC with an address (bootlib.py).
      ...resolverAttrs(ctx),
      [ATTR.vmId, vm.id],
      [ATTR.envId, vm.envId],
      [ATTR.image, vm.image],
      // zonecfg refuses an empty value: an ISO install has no image digest, and no attr.
      ...(vm.imageDigest ? [[ATTR.imageDigest, vm.imageDigest] as [string, string]] : []),
      cpu!,
      mem!,
      diskSize!,
      ...extra,
      // No forwards (a VM whose primary network is not nat): no attr, zonecfg refuses ''.
      ...portAttrs(ctx.ports).filter(([, value]) => value !== ''),
      [ATTR.denyOutgoing, String(vm.denyOutgoing)],
      [ATTR.slot, String(vm.slot)],
      [ATTR.clone, vm.cloneMode],
      [ATTR.generation, String(vm.generation)],
      [ATTR.createdAt, vm.createdAt],
    ],
  };
}

/**
 * One `net` per NIC. A static address becomes `allowed-address` (L3 protection, and the
 * address the brand's cloud-init network-config gives the NIC); only the primary gets a
 * `defrouter`. A DHCP NIC has neither: the brand leaves it out of network-config.
 */
function zoneNets(ctx: VmContext): BhyveZoneSpec['nets'] {
  return ctx.nics.map((nic, i) => ({
    physical: nic.vnic,
    ...(nic.ip && nic.prefix !== null ? { allowedAddress: `${nic.ip}/${nic.prefix}` } : {}),
    ...(i === 0 && nic.gateway ? { defrouter: nic.gateway } : {}),
  }));
}

/** `resolvers` (comma-separated, no spaces: bootlib.py splits on `,` only) of the primary. */
function resolverAttrs(ctx: VmContext): Array<[string, string]> {
  const dns = ctx.nics[0]?.dns ?? [];
  return dns.length > 0 ? [['resolvers', dns.join(',')]] : [];
}

/**
 * zonecfg refuses a string attr value of 256 bytes or more (libzonecfg's MAXNAMELEN-sized
 * buffer), and 32 forwards as `guest:host` take up to 384: the list is split over
 * `apiary-ports`, `apiary-ports-1`, ... each under the limit.
 */
const PORT_ATTR_MAX = 255;

export function portAttrs(
  ports: Array<{ guestPort: number; hostPort: number }>,
): Array<[string, string]> {
  const chunks: string[] = [''];
  for (const p of ports) {
    const item = `${p.guestPort}:${p.hostPort}`;
    const last = chunks.length - 1;
    const joined = chunks[last] ? `${chunks[last]},${item}` : item;
    if (joined.length <= PORT_ATTR_MAX) chunks[last] = joined;
    else chunks.push(item);
  }
  return chunks.map((value, i) => [i === 0 ? ATTR.ports : `${ATTR.ports}-${i}`, value]);
}

/** The forwards recorded in a zone's attrs by `portAttrs`, as `[guest, host]` pairs. */
export function readPortAttrs(attrs: Record<string, string>): Array<[number, number]> {
  const parts: string[] = [];
  for (let i = 0; ; i++) {
    const value = attrs[i === 0 ? ATTR.ports : `${ATTR.ports}-${i}`];
    if (value === undefined) break;
    parts.push(value);
  }
  return parts
    .join(',')
    .split(',')
    .filter(Boolean)
    .map((p) => p.split(':').map(Number) as [number, number]);
}

/**
 * `#cloud-config` user-data: hostname, the SSH keys for the default user and root, and the root
 * file system grown to the disk. The boot disk is made at the VM's requested size (the volsize
 * step), larger than the image it was cloned from; `growpart` and `resize_rootfs` have
 * cloud-init take the new space (cloud-init's cc_growpart and cc_resizefs modules). Only a
 * guest running cloud-init reads this file, so the lines are always there.
 *
 * `user` (the VM's, else its image's `default_user`): cloud-init's cc_users_groups creates it
 * with the keys, passwordless sudo and a locked password, next to the distribution's default
 * user and root (the `users` list of cloud-init's "Including users and groups" documentation).
 */
export function renderUserData(hostname: string, keys: string[], user?: string | null): string {
  // JSON strings are valid YAML double-quoted scalars: a key comment cannot break the document.
  const list = (indent: string) => keys.map((k) => `${indent}- ${JSON.stringify(k)}`).join('\n');
  const lines = [
    '#cloud-config',
    `hostname: ${hostname}`,
    'disable_root: false',
    'growpart:',
    '  mode: auto',
    "  devices: ['/']",
    'resize_rootfs: true',
  ];
  if (keys.length > 0) {
    lines.push('ssh_authorized_keys:', list('  '));
    lines.push('users:', '  - default');
    if (user) {
      lines.push(
        `  - name: ${JSON.stringify(user)}`,
        "    sudo: 'ALL=(ALL) NOPASSWD:ALL'",
        '    shell: /bin/sh',
        '    lock_passwd: true',
        '    ssh_authorized_keys:',
        list('      '),
      );
    }
    lines.push('  - name: root', '    ssh_authorized_keys:', list('      '));
  }
  return `${lines.join('\n')}\n`;
}
