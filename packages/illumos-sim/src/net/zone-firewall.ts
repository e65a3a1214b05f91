import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostState, ZoneRecord } from '../core/state-types.js';
import { emptyInstance, loadIpfText, loadNatText } from './rule-loading.js';

/**
 * The per-zone, GZ-controlled ipf instance of a bhyve zone. It exists while the zone runs.
 * At boot the brand (firewall.ksh) enables it, flushes it, and loads `$ZONEPATH/etc/ipf.conf`
 * and `$ZONEPATH/etc/ipnat.conf` (or the same names under `$ZONEPATH/config/`).
 */
function zoneFile(hostRoot: string, zonepath: string, name: string): string | undefined {
  for (const dir of ['etc', 'config']) {
    const path = join(hostRoot, zonepath, dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

export function loadZoneFirewall(state: HostState, hostRoot: string, zone: ZoneRecord): void {
  const inst = emptyInstance(true);
  state.ipfilter.zones[zone.name] = inst;
  const zp = zone.config.props.zonepath;
  if (!zp) return;
  const ipf = zoneFile(hostRoot, zp, 'ipf.conf');
  if (ipf) loadIpfText(inst, readFileSync(ipf, 'utf8'), false, true);
  const nat = zoneFile(hostRoot, zp, 'ipnat.conf');
  if (nat) loadNatText(inst, readFileSync(nat, 'utf8'), false);
}

export function dropZoneFirewall(state: HostState, zone: ZoneRecord): void {
  delete state.ipfilter.zones[zone.name];
}
