import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fnmatch } from '../core/glob.js';
import type { HostState, ZoneRecord } from '../core/state-types.js';
import { loadZoneFirewall } from '../net/zone-firewall.js';
import { getDataset } from '../zfs/zfs-model.js';
import { writeCloudInit } from './cloud-init.js';
import { attrValue, resourcesOf } from './zone-config.js';

/**
 * The OmniOS bhyve brand's hooks as the simulator models them: `createzone` builds the tiny
 * zone root at install; boot validates what boot.py and zoneadmd would trip over (disks that
 * are missing or not exported to the zone by a `device match`, VNICs that do not exist),
 * writes the cloud-init seed, and loads the zone's own ipf/ipnat files into its GZ-controlled
 * packet filter instance, as firewall.ksh does.
 */
const ROOT_DIRS = ['dev', 'etc', 'usr', 'sbin', 'lib', 'var/run', 'tmp', 'var/tmp'];

export function createZoneRoot(hostRoot: string, zonepath: string, uuid: string): void {
  const zp = join(hostRoot, zonepath);
  mkdirSync(zp, { recursive: true });
  chmodSync(zp, 0o700);
  for (const dir of ROOT_DIRS) mkdirSync(join(zp, 'root', dir), { recursive: true });
  writeFileSync(join(zp, 'root', 'etc', 'uuid'), `${uuid}\n`);
}

/** Disk paths from bootdisk/disk/diskN attrs, as boot.py resolves them. */
export function diskPaths(
  zone: ZoneRecord,
): Array<{ attr: string; path: string; dataset?: string }> {
  const out: Array<{ attr: string; path: string; dataset?: string }> = [];
  for (const a of resourcesOf(zone.config, 'attr')) {
    const { name, value } = a.props;
    if (!name || value === undefined || !/^(bootdisk|disk\d*)$/.test(name)) continue;
    const spec = value.split(',')[0]!;
    if (spec.startsWith('/')) {
      const m = /^\/dev\/zvol\/r?dsk\/(.+)$/.exec(spec);
      out.push({ attr: name, path: spec, ...(m ? { dataset: m[1]! } : {}) });
    } else out.push({ attr: name, path: `/dev/zvol/rdsk/${spec}`, dataset: spec });
  }
  return out;
}

/** What would make the brand's boot fail; each entry is a line for the zone's init.log. */
export function bootProblems(state: HostState, hostRoot: string, zone: ZoneRecord): string[] {
  const problems: string[] = [];
  const matches = resourcesOf(zone.config, 'device').map((d) => d.props.match ?? '');
  for (const disk of diskPaths(zone)) {
    if (disk.dataset !== undefined) {
      const ds = getDataset(state, disk.dataset);
      if (ds?.type !== 'volume')
        problems.push(`${disk.attr}: ${disk.path}: No such file or directory`);
    } else if (!existsSync(join(hostRoot, disk.path))) {
      problems.push(`${disk.attr}: ${disk.path}: No such file or directory`);
    }
    if (!matches.some((m) => fnmatch(m, disk.path))) {
      problems.push(`${disk.attr}: ${disk.path} is not exported to the zone by a device match`);
    }
  }
  const bootrom = attrValue(zone.config, 'bootrom');
  if (bootrom?.includes('/') && !existsSync(join(hostRoot, bootrom))) {
    problems.push(`bootrom: ${bootrom}: No such file or directory`);
  }
  return problems;
}

/** VNICs in `net physical` that do not exist: zoneadmd cannot hand them to the zone. */
export function missingLinks(state: HostState, zone: ZoneRecord): string[] {
  return resourcesOf(zone.config, 'net')
    .map((n) => n.props.physical ?? '')
    .filter((p) => p !== '' && !state.links.some((l) => l.name === p));
}

export function logInit(hostRoot: string, zone: ZoneRecord, line: string): void {
  const zp = zone.config.props.zonepath;
  if (!zp) return;
  const dir = join(hostRoot, zp, 'root', 'tmp');
  if (!existsSync(dir)) return;
  appendFileSync(join(dir, 'init.log'), `${new Date().toISOString()} ${line}\n`);
}

/** Effects of a successful boot of a bhyve zone. */
export function onBoot(state: HostState, hostRoot: string, zone: ZoneRecord): void {
  writeCloudInit(state, hostRoot, zone);
  loadZoneFirewall(state, hostRoot, zone);
  logInit(hostRoot, zone, `bhyve started for zone ${zone.name}`);
}

export function vncWanted(zone: ZoneRecord): boolean {
  const v = attrValue(zone.config, 'vnc');
  return v !== undefined && v !== 'off' && v !== 'false' && v !== 'no';
}

export function readZoneUuid(hostRoot: string, zone: ZoneRecord): string {
  const zp = zone.config.props.zonepath;
  if (!zp) return zone.uuid;
  try {
    return readFileSync(join(hostRoot, zp, 'root', 'etc', 'uuid'), 'utf8').trim();
  } catch {
    return zone.uuid;
  }
}
