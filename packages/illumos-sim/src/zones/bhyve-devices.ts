import { fnmatch } from '../core/glob.js';
import type { HostState, ZoneRecord } from '../core/state-types.js';
import { getDataset } from '../zfs/zfs-model.js';
import { attrValue, resourcesOf } from './zone-config.js';
import { existsInZone } from './zone-filesystem.js';

/**
 * The block devices bhyve opens when the zone's init starts it, as OmniOS's boot.py lays them
 * out: `cdrom[N]` (ahci-cd, PCI slot 3, or 7 behind the disks when a BIOS bootrom should
 * prefer the disk), `bootdisk` (slot 4), `disk`/`diskN` (slot 5, or 8 from disk8 on). A value
 * that is not an absolute path is a dataset (`/dev/zvol/rdsk/<value>`); options follow a
 * comma. bhyve runs chrooted in the zone, so every path is looked up inside it: a zvol only
 * exists there when a `device match` exports it, a file only through an `fs` lofs mount (or
 * under the zone root).
 */
export interface BackingDevice {
  attr: string;
  path: string;
  slot: number;
  fn: number;
}

const ALIASES: Record<string, string> = {
  cd: 'path0,bootdisk,cdrom0',
  dc: 'cdrom0,path0,bootdisk',
};

function diskpath(value: string): string {
  const path = value.trim().split(',')[0]!;
  return path.startsWith('/') ? path : `/dev/zvol/rdsk/${path}`;
}

type DevList = Array<[number, string, string]>;

/**
 * build_devlist() (bootlib.py): explicit `<type>N` slots first, then a plain `<type>` attr
 * takes the first free slot. A slot number past the brand's limit, or no slot left for the
 * plain one, is fatal to the boot hook; the reason comes back as `error`.
 */
export function buildDevList(
  zone: ZoneRecord,
  type: string,
  max: number,
): DevList | { error: string } {
  const attrs = resourcesOf(zone.config, 'attr');
  const list = new Map<number, [string, string]>();
  for (const a of attrs) {
    const m = new RegExp(`^${type}(\\d+)$`).exec(a.props.name ?? '');
    if (!m || a.props.value === undefined) continue;
    const k = Number(m[1]);
    if (k >= max) return { error: `${type}${k} slot out of range` };
    list.set(k, [a.props.name!, a.props.value]);
  }
  for (const a of attrs.filter((x) => x.props.name === type && x.props.value !== undefined)) {
    let k = 0;
    while (list.has(k)) k++;
    if (k >= max) return { error: `${type}: no more available slots` };
    list.set(k, [type, a.props.value!]);
  }
  return [...list.entries()].sort((x, y) => x[0] - y[0]).map(([k, [n, v]]) => [k, n, v]);
}

function devList(zone: ZoneRecord, type: string, max: number): DevList {
  const list = buildDevList(zone, type, max);
  return 'error' in list ? [] : list;
}

export function backingDevices(zone: ZoneRecord): BackingDevice[] {
  const bootrom = attrValue(zone.config, 'bootrom') ?? 'BHYVE_RELEASE_CSM';
  const uefivars = attrValue(zone.config, 'uefivars') ?? 'on';
  const uefi = !['off', 'false', 'no', '0'].includes(uefivars) && !bootrom.includes('_CSM');
  const order = attrValue(zone.config, 'bootorder') ?? 'path0,bootdisk,cdrom0';
  const cdromSlot =
    !uefi &&
    (ALIASES[order] ?? order).startsWith('bootdisk') &&
    attrValue(zone.config, 'type') !== 'windows'
      ? 7
      : 3;
  const out: BackingDevice[] = [];
  for (const [i, attr, v] of devList(zone, 'cdrom', 8))
    out.push({ attr, path: v.trim().split(',')[0]!, slot: cdromSlot, fn: i });
  const boot = attrValue(zone.config, 'bootdisk');
  if (boot !== undefined) out.push({ attr: 'bootdisk', path: diskpath(boot), slot: 4, fn: 0 });
  for (const [i, attr, v] of devList(zone, 'disk', 16))
    out.push({ attr, path: diskpath(v), slot: i < 8 ? 5 : 8, fn: i % 8 });
  return out.sort((a, b) => a.slot - b.slot || a.fn - b.fn);
}

/** Whether bhyve, inside the zone, can open `path`. */
export function openableInZone(
  state: HostState,
  hostRoot: string,
  zone: ZoneRecord,
  path: string,
): boolean {
  if (path.startsWith('/dev/')) {
    const exported = resourcesOf(zone.config, 'device').some(
      (d) => d.props.match !== undefined && fnmatch(d.props.match, path),
    );
    const zvol = /^\/dev\/zvol\/r?dsk\/(.+)$/.exec(path);
    // Only zvols are modelled among devices; a zone's /dev shows what its matches export.
    return exported && zvol !== null && getDataset(state, zvol[1]!)?.type === 'volume';
  }
  return existsInZone(hostRoot, zone, path);
}

/**
 * The first line bhyve prints (to the zone's init.log) before exiting when a device cannot be
 * opened: the bootrom first (init_bootrom), then the PCI devices in slot order (blockif_open's
 * warn(), prefixed by its argv[0], `bhyve-<zone>`). Undefined when bhyve would start.
 */
export function bhyveStartError(
  state: HostState,
  hostRoot: string,
  zone: ZoneRecord,
): string | undefined {
  const bootrom = attrValue(zone.config, 'bootrom');
  if (bootrom?.startsWith('/') && !existsInZone(hostRoot, zone, bootrom)) {
    return `Error opening bootrom "${bootrom}": No such file or directory`;
  }
  for (const dev of backingDevices(zone)) {
    if (!openableInZone(state, hostRoot, zone, dev.path)) {
      return `bhyve-${zone.name}: Could not open backing file: ${dev.path}: No such file or directory`;
    }
  }
  return undefined;
}
