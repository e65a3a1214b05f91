import { join } from 'node:path';
import type { ZoneRecord } from '../core/state-types.js';
import { zvolDevice } from '../zfs/zfs-model.js';
import { readRange } from '../zfs/zvol-data.js';
import { attrValue } from '../zones/zone-config.js';
import { LABEL_BYTES } from './guest-disk.js';

/** A user the guest's login(1) accepts on its console. */
export interface GuestAccount {
  user: string;
  password: string;
}

/**
 * The accounts a guest's console login accepts. The simulator's disk label (guest-disk.ts) is
 * the os-release document, a NUL, then optionally the accounts in chpasswd(8)'s input format
 * (`user:password`, one a line, the password in clear), ended by a second NUL. A disk without
 * them has no account anyone can log into, as a cloud image whose root is locked.
 */
export function parseGuestAccounts(text: string): GuestAccount[] {
  const accounts: GuestAccount[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    accounts.push({ user: line.slice(0, colon), password: line.slice(colon + 1) });
  }
  return accounts;
}

export function renderGuestAccounts(accounts: GuestAccount[]): string {
  for (const a of accounts) {
    if (!/^[a-z_][a-z0-9_-]*$/.test(a.user)) throw new Error(`bad guest user name: ${a.user}`);
    if (/[\n\0]/.test(a.password)) throw new Error('a guest password holds no newline or NUL');
  }
  return accounts.map((a) => `${a.user}:${a.password}\n`).join('');
}

/** The console accounts on a zone's boot disk (the `bootdisk` attr: a zvol or a file). */
export function readGuestAccounts(hostRoot: string, zone: ZoneRecord): GuestAccount[] {
  const disk = attrValue(zone.config, 'bootdisk');
  if (!disk) return [];
  const path = disk.startsWith('/') ? join(hostRoot, disk) : zvolDevice(hostRoot, disk);
  const head = readRange(path, 0, LABEL_BYTES);
  const first = head.indexOf(0);
  if (first < 0) return [];
  const second = head.indexOf(0, first + 1);
  if (second < 0) return [];
  return parseGuestAccounts(head.subarray(first + 1, second).toString('utf8'));
}
