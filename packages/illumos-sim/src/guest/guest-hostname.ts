import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ZoneRecord } from '../core/state-types.js';

/**
 * The name `hostname NAME` gave a running guest. Like the kernel's node name it lasts until
 * the guest next boots: the file (`<zonepath>/guest/hostname`, JSON) records the boot it was
 * set in (the zone's `bootedAt`) and counts only while that boot goes on; after a reboot the
 * guest is back to what cloud-init's seed says (guest-identity.ts).
 */
interface SetName {
  hostname: string;
  booted_at: number;
}

function fileOf(hostRoot: string, zone: ZoneRecord): string | undefined {
  const zp = zone.config.props.zonepath;
  return zp ? join(hostRoot, zp, 'guest', 'hostname') : undefined;
}

export function readSetHostname(hostRoot: string, zone: ZoneRecord): string | undefined {
  const file = fileOf(hostRoot, zone);
  if (!file || !existsSync(file) || zone.state !== 'running') return undefined;
  try {
    const set = JSON.parse(readFileSync(file, 'utf8')) as SetName;
    return set.booted_at === zone.bootedAt ? set.hostname : undefined;
  } catch {
    return undefined;
  }
}

export function writeSetHostname(hostRoot: string, zone: ZoneRecord, hostname: string): void {
  const file = fileOf(hostRoot, zone);
  if (!file || zone.bootedAt === undefined) return;
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const body: SetName = { hostname, booted_at: zone.bootedAt };
  writeFileSync(`${file}.tmp`, JSON.stringify(body));
  renameSync(`${file}.tmp`, file);
}
