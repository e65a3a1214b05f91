import type { VmMachine } from '@apiary/protocol';
import { DATA_DISK_MAX } from '@apiary/protocol';
import type { Layout } from '../host/layout.js';
import type { ZoneEdit } from '../host/zonecfg-edit.js';
import type { ZoneConfig } from '../host/zonecfg-format.js';

/*
 * The zone resources that make a VM's machine, as the bhyve brand reads them (pkg5
 * src/brand/bhyve/boot.py): `vcpus`, `ram`, `disk<n>` (a dataset name: the brand opens
 * /dev/zvol/rdsk/<name>, which a `device match` must export into the zone), `cdrom` (a path
 * bhyve opens inside the zone: the ISO's directory is lofs-mounted read-only at the same path)
 * and `bootorder`. Apiary's own attrs record the machine so it can be read back from the zone.
 */

export const MACHINE_ATTR = {
  cpu: 'apiary-cpu',
  mem: 'apiary-mem',
  disk: 'apiary-disk',
  disks: 'apiary-disks',
  cdrom: 'apiary-cdrom',
} as const;

/** An installer ISO boots first while it is attached; the disk once it is detached. */
export const ISO_BOOTORDER = 'cdrom0,bootdisk';

export interface MachineResources {
  attrs: Array<[string, string]>;
  devices: string[];
  fs: Array<{ dir: string; special: string; options: string[] }>;
}

export function machineResources(
  layout: Layout,
  vm: { id: string; bootIso: boolean },
  m: VmMachine,
): MachineResources {
  const attrs: Array<[string, string]> = [
    ['vcpus', String(m.cpu)],
    ['ram', `${m.mem}M`],
    [MACHINE_ATTR.cpu, String(m.cpu)],
    [MACHINE_ATTR.mem, String(m.mem)],
    [MACHINE_ATTR.disk, String(m.disk)],
  ];
  const devices: string[] = [];
  for (const d of m.disks) {
    attrs.push([`disk${d.n}`, layout.vmDataDisk(vm.id, d.n)]);
    devices.push(`/dev/zvol/rdsk/${layout.vmDataDisk(vm.id, d.n)}`);
  }
  if (m.disks.length > 0) {
    // 16 disks as `n:MiB` stay well under zonecfg's 256-byte attr limit.
    attrs.push([MACHINE_ATTR.disks, m.disks.map((d) => `${d.n}:${d.size}`).join(',')]);
  }
  const fs: MachineResources['fs'] = [];
  if (m.cdrom) {
    const hex = m.cdrom.slice('sha256:'.length);
    attrs.push(['cdrom', layout.isoFile(hex)], [MACHINE_ATTR.cdrom, m.cdrom]);
    fs.push({ dir: layout.isoDir(hex), special: layout.isoDir(hex), options: ['ro', 'nodevices'] });
    if (vm.bootIso) attrs.push(['bootorder', ISO_BOOTORDER]);
  }
  return { attrs, devices, fs };
}

/** The edit that makes an existing zone's machine resources `m` (and drops any others). */
export function machineZoneEdit(
  layout: Layout,
  vm: { id: string; bootIso: boolean },
  m: VmMachine,
  config: ZoneConfig,
): ZoneEdit {
  const wanted = machineResources(layout, vm, m);
  const attrs: Record<string, string | null> = {
    [MACHINE_ATTR.disks]: null,
    cdrom: null,
    [MACHINE_ATTR.cdrom]: null,
    bootorder: null,
  };
  const devices: Record<string, boolean> = {};
  for (let n = 0; n < DATA_DISK_MAX; n++) {
    attrs[`disk${n}`] = null;
    devices[`/dev/zvol/rdsk/${layout.vmDataDisk(vm.id, n)}`] = false;
  }
  for (const [name, value] of wanted.attrs) attrs[name] = value;
  for (const d of wanted.devices) devices[d] = true;
  const fs: ZoneEdit['fs'] = {};
  for (const r of config.resources) {
    const dir = r.props.dir;
    if (r.type === 'fs' && dir?.startsWith(`${layout.imagesMount}/`)) fs[dir] = null;
  }
  for (const f of wanted.fs) fs[f.dir] = { special: f.special, options: f.options };
  return { attrs, devices, fs };
}
