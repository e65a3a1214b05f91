import { fnmatch } from '../core/glob.js';
import type { HostState, ZoneRecord } from '../core/state-types.js';
import { resourcesOf } from './zone-config.js';

/**
 * What running zones hold open: bhyve opens every zvol its `device match` covers (and the
 * bootdisk/disk attrs name), so such a zvol is busy for `zfs destroy`; a file system cannot be
 * unmounted while a ready or running zone sits on it (its zonepath) or has part of it
 * lofs-mounted (an `fs` resource's `special`).
 */
const ACTIVE = new Set(['ready', 'running', 'shutting_down', 'down', 'mounted']);

export function isZoneActive(zone: ZoneRecord): boolean {
  return ACTIVE.has(zone.state);
}

export function diskDatasetsOf(zone: ZoneRecord): string[] {
  const out: string[] = [];
  for (const attr of resourcesOf(zone.config, 'attr')) {
    const { name, value } = attr.props;
    if (!name || value === undefined) continue;
    if (/^(bootdisk|disk\d*)$/.test(name)) {
      const path = value.split(',')[0]!;
      if (!path.startsWith('/')) out.push(path);
      else if (path.startsWith('/dev/zvol/')) out.push(path.replace(/^\/dev\/zvol\/r?dsk\//, ''));
    }
  }
  return out;
}

export function zoneHoldingZvol(state: HostState, dataset: string): ZoneRecord | undefined {
  const raw = `/dev/zvol/rdsk/${dataset}`;
  const blk = `/dev/zvol/dsk/${dataset}`;
  return state.zones.find(
    (z) =>
      isZoneActive(z) &&
      (resourcesOf(z.config, 'device').some(
        (d) =>
          d.props.match !== undefined &&
          (fnmatch(d.props.match, raw) || fnmatch(d.props.match, blk)),
      ) ||
        diskDatasetsOf(z).includes(dataset)),
  );
}

function within(path: string, mountpoint: string): boolean {
  return path === mountpoint || path.startsWith(`${mountpoint}/`);
}

export function zoneUsingPath(state: HostState, mountpoint: string): ZoneRecord | undefined {
  return state.zones.find(
    (z) =>
      isZoneActive(z) &&
      ((z.config.props.zonepath !== undefined && within(z.config.props.zonepath, mountpoint)) ||
        resourcesOf(z.config, 'fs').some(
          (fs) =>
            fs.props.type === 'lofs' && fs.props.special && within(fs.props.special, mountpoint),
        )),
  );
}
