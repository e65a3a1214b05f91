import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { HostState, ZoneRecord } from '../core/state-types.js';
import { loadZoneFirewall } from '../net/zone-firewall.js';
import { buildDevList } from './bhyve-devices.js';
import { writeCloudInit } from './cloud-init.js';
import { attrValue, resourcesOf } from './zone-config.js';

/**
 * The OmniOS bhyve brand's hooks as the simulator models them: `createzone` builds the tiny
 * zone root at install; boot fails where boot.py would (a bootrom that is not installed),
 * writes the cloud-init seed, and loads the zone's own ipf/ipnat files into its GZ-controlled
 * packet filter instance, as firewall.ksh does. What bhyve itself trips over once the zone
 * runs is in bhyve-devices.ts.
 */
const ROOT_DIRS = ['dev', 'etc', 'usr', 'sbin', 'lib', 'var/run', 'tmp', 'var/tmp'];

export function createZoneRoot(hostRoot: string, zonepath: string, uuid: string): void {
  const zp = join(hostRoot, zonepath);
  mkdirSync(zp, { recursive: true });
  chmodSync(zp, 0o700);
  for (const dir of ROOT_DIRS) mkdirSync(join(zp, 'root', dir), { recursive: true });
  writeFileSync(join(zp, 'root', 'etc', 'uuid'), `${uuid}\n`);
}

const BOOTROM_ALIASES: Record<string, string> = {
  'BHYVE_DEBUG-2.70': 'BHYVE_DEBUG',
  'BHYVE_DEBUG_CSM-2.40': 'BHYVE_DEBUG_CSM',
  'BHYVE_RELEASE-2.70': 'BHYVE_RELEASE',
  'BHYVE_RELEASE_CSM-2.40': 'BHYVE_RELEASE_CSM',
};

/**
 * What makes boot.py (the brand's boot hook, run by zoneadmd in the global zone) exit 1, so
 * that zoneadm reports `call to zoneadmd failed`, in boot.py's order: a `memreserve` that is
 * not a boolean, a bootrom given by name that is not in /usr/share/bhyve/firmware, a
 * `uefivars` that is not a boolean, a `cdromN`/`diskN` slot out of range (cdrom0-7,
 * disk0-15) or no slot left for a plain `cdrom`/`disk`, then the other strict booleans. Disks
 * are not opened here (boot.py's `bhyve -o config.dump=1` exits before it opens devices);
 * bhyve itself fails on them once the zone runs (bhyve-devices.ts). The message is boot.py's
 * fatal(), which it also logs to `<zonepath>/log/zone.log`.
 */
export function bootHookError(hostRoot: string, zone: ZoneRecord): string | undefined {
  const strict = (tag: string, fallback: string) => {
    const v = attrValue(zone.config, tag)?.trim() ?? fallback;
    return BOOLEAN.has(v) ? undefined : `Invalid value ${v} for boolean variable ${tag}`;
  };
  const memreserve = strict('memreserve', 'off');
  if (memreserve) return memreserve;
  const name = attrValue(zone.config, 'bootrom') ?? 'BHYVE_RELEASE_CSM';
  if (!name.startsWith('/')) {
    const file = BOOTROM_ALIASES[name] ?? name;
    const path = `/usr/share/bhyve/firmware/${file}${file.endsWith('.fd') ? '' : '.fd'}`;
    if (!existsSync(join(hostRoot, path))) return `bootrom ${name} not found.`;
  }
  const uefivars = strict('uefivars', 'on');
  if (uefivars) return uefivars;
  for (const [type, max] of [
    ['cdrom', 8],
    ['disk', 16],
  ] as const) {
    const list = buildDevList(zone, type, max);
    if ('error' in list) return list.error;
  }
  const vnc = attrValue(zone.config, 'vnc')?.trim() ?? 'off';
  const tags: Array<[string, string]> = [
    ['rng', 'off'],
    ['priv.debug', 'off'],
    ['debug.persist', 'off'],
  ];
  // xhci is only looked at when there is a framebuffer (vnc not off)
  if (!['off', 'false', 'no', '0'].includes(vnc)) tags.unshift(['xhci', 'on']);
  for (const [tag, fallback] of tags) {
    const problem = strict(tag, fallback);
    if (problem) return problem;
  }
  return undefined;
}

/** boolv()'s spellings (bootlib.py). */
const BOOLEAN = new Set(['true', 'yes', 'on', '1', 'false', 'no', 'off', '0']);

export function logZone(hostRoot: string, zone: ZoneRecord, line: string): void {
  const zp = zone.config.props.zonepath;
  if (!zp || !existsSync(join(hostRoot, zp))) return;
  mkdirSync(join(hostRoot, zp, 'log'), { recursive: true });
  appendFileSync(join(hostRoot, zp, 'log', 'zone.log'), `${line}\n`);
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
