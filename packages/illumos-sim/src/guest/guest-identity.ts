import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ZoneRecord } from '../core/state-types.js';
import { readGuestOsRelease } from './guest-disk.js';
import { readSetHostname } from './guest-hostname.js';
import { type GuestOs, guestOsFromRelease } from './guest-os.js';

/**
 * Who the simulated guest of a running zone is, read the way the guest's cloud-init reads its
 * seed: the brand writes `<zonepath>/root/cloud-init/{meta-data,user-data}` at boot
 * (cloud-init.ts), and the guest takes its hostname (`hostname:`, else meta-data's
 * `local-hostname`, else the zone name; a name `hostname NAME` set on the console since the
 * last boot comes first, guest-hostname.ts) and its SSH keys from there. As cloud-init does, the
 * top-level `ssh_authorized_keys` go to the distribution's default user and, only with
 * `disable_root: false`, to root too; a `users:` entry adds its own `ssh_authorized_keys` for
 * that user. The OS is what its boot disk holds (guest-disk.ts).
 */
export interface GuestIdentity {
  zone: string;
  hostname: string;
  os: GuestOs;
  /** Authorized public key lines by user name. */
  keys: Map<string, string[]>;
}

function seedDir(hostRoot: string, zone: ZoneRecord): string | undefined {
  const zp = zone.config.props.zonepath;
  return zp ? join(hostRoot, zp, 'root', 'cloud-init') : undefined;
}

function readYaml(path: string | undefined): Record<string, unknown> {
  if (!path || !existsSync(path)) return {};
  try {
    const doc = parse(readFileSync(path, 'utf8')) as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc)
      ? (doc as Record<string, unknown>)
      : {};
  } catch {
    // cloud-init ignores user-data it cannot parse
    return {};
  }
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function readGuestIdentity(hostRoot: string, zone: ZoneRecord): GuestIdentity {
  const dir = seedDir(hostRoot, zone);
  const user = readYaml(dir && join(dir, 'user-data'));
  const meta = readYaml(dir && join(dir, 'meta-data'));
  const hostname =
    readSetHostname(hostRoot, zone) ||
    (typeof user.hostname === 'string' && user.hostname) ||
    (typeof meta['local-hostname'] === 'string' && meta['local-hostname']) ||
    zone.name;
  const os = guestOsFromRelease(readGuestOsRelease(hostRoot, zone));
  const keys = new Map<string, string[]>();
  const add = (name: string, list: string[]) =>
    keys.set(name, [...(keys.get(name) ?? []), ...list]);
  const topLevel = stringList(user.ssh_authorized_keys);
  add(os.defaultUser, topLevel);
  if (user.disable_root === false) add('root', topLevel);
  for (const entry of Array.isArray(user.users) ? user.users : []) {
    if (!entry || typeof entry !== 'object') continue;
    const { name, ssh_authorized_keys } = entry as Record<string, unknown>;
    if (typeof name === 'string') add(name, stringList(ssh_authorized_keys));
  }
  return { zone: zone.name, hostname, os, keys };
}
