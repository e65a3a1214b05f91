import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HostState, ZoneRecord, ZoneResource } from '../core/state-types.js';
import { getDataset, mountpointOf } from '../zfs/zfs-model.js';
import { resourcesOf } from './zone-config.js';

/**
 * A zone's file system as processes inside it see it. zoneadmd lofs-mounts every `fs` resource's
 * `special` (a global-zone path) at `<zonepath>/root<dir>` when the zone becomes ready, and
 * bhyve runs chrooted in the zone, so a path bhyve opens resolves through the deepest `fs dir`
 * that covers it, and otherwise lies under the zone root. The brand's platform.xml adds
 * read-only lofs mounts of the global /usr, /sbin and /lib (so firmware under
 * /usr/share/bhyve/firmware is visible). `/dev` is not modelled here: a zone's /dev holds only
 * what `device match` exports (see bhyve-devices.ts).
 */
const PLATFORM_MOUNTS = ['/usr', '/sbin', '/lib'].map(
  (dir): ZoneResource => ({ type: 'fs', props: { dir, special: dir, type: 'lofs' } }),
);

export function lofsMounts(zone: ZoneRecord): ZoneResource[] {
  return [
    ...PLATFORM_MOUNTS,
    ...resourcesOf(zone.config, 'fs').filter(
      (fs) => fs.props.type === 'lofs' && fs.props.dir && fs.props.special,
    ),
  ];
}

function covers(dir: string, path: string): boolean {
  const d = dir.replace(/\/+$/, '');
  return path === d || path.startsWith(`${d}/`) || d === '';
}

/** The global-zone path (not yet joined to the host root) behind `path` inside the zone. */
export function globalPathOf(zone: ZoneRecord, path: string): string | undefined {
  const zonepath = zone.config.props.zonepath;
  let best: ZoneResource | undefined;
  for (const fs of lofsMounts(zone)) {
    if (!covers(fs.props.dir!, path)) continue;
    if (!best || fs.props.dir!.length > best.props.dir!.length) best = fs;
  }
  if (best) {
    const rest = path.slice(best.props.dir!.replace(/\/+$/, '').length);
    return `${best.props.special!.replace(/\/+$/, '')}${rest}`;
  }
  return zonepath ? `${zonepath.replace(/\/+$/, '')}/root${path}` : undefined;
}

/** Whether a process in the zone can open `path` (a regular file or directory). */
export function existsInZone(hostRoot: string, zone: ZoneRecord, path: string): boolean {
  const global = globalPathOf(zone, path);
  return global !== undefined && existsSync(join(hostRoot, global));
}

/**
 * verify_filesystems() of zoneadm (run by verify, install, clone, ready, boot and reboot): a
 * lofs (or other non-ZFS) `special` must exist in the global zone, a `type=zfs` one must be a
 * file system whose mountpoint is `legacy`. One stderr line per bad resource.
 */
export function fsVerifyErrors(state: HostState, hostRoot: string, zone: ZoneRecord): string {
  let out = '';
  for (const fs of resourcesOf(zone.config, 'fs')) {
    const { dir, special, type } = fs.props;
    if (!dir || !special || !type) continue; // zonecfg refuses to commit these
    if (type === 'zfs') {
      const ds = getDataset(state, special);
      if (!ds) out += `could not verify fs ${dir}: could not access zfs dataset '${special}'\n`;
      else if (ds.type !== 'filesystem')
        out += `cannot verify fs ${dir}: '${special}' is not a filesystem\n`;
      else if (mountpointOf(state, special).value !== 'legacy')
        out += `could not verify fs ${dir}: zfs '${special}' mountpoint is not "legacy"\n`;
      continue;
    }
    try {
      statSync(join(hostRoot, special));
    } catch {
      out += `could not verify fs ${dir}: could not access ${special}: No such file or directory\n`;
    }
  }
  return out;
}
