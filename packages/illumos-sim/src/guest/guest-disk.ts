import { join } from 'node:path';
import type { ZoneRecord } from '../core/state-types.js';
import { zvolDevice } from '../zfs/zfs-model.js';
import { writeZvol } from '../zfs/zvol-api.js';
import { readRange } from '../zfs/zvol-data.js';
import { attrValue } from '../zones/zone-config.js';
import { type GuestAccount, renderGuestAccounts } from './guest-accounts.js';
import { knownGuestOs } from './guest-os.js';

/**
 * The simulator's convention for what a guest disk holds: an os-release(5) document at the
 * start of the volume, ended by a NUL byte, stands for the installed system. Images made for
 * the simulator carry one (`writeGuestOsRelease`), and clones, snapshots and `zfs send |
 * zfs receive` carry it to each VM's boot disk like any other data; the guest reads it back
 * (`readGuestOsRelease`) to know what it is. A disk without one is blank. The console accounts
 * its login accepts may follow (guest-accounts.ts).
 */
export const LABEL_BYTES = 4096;

/** The os-release document on a zone's boot disk (the `bootdisk` attr: a zvol or a file). */
export function readGuestOsRelease(hostRoot: string, zone: ZoneRecord): string | undefined {
  const disk = attrValue(zone.config, 'bootdisk');
  if (!disk) return undefined;
  const path = disk.startsWith('/') ? join(hostRoot, disk) : zvolDevice(hostRoot, disk);
  const head = readRange(path, 0, LABEL_BYTES);
  const end = head.indexOf(0);
  const text = head.subarray(0, end < 0 ? head.length : end).toString('utf8');
  return /^ID=/m.test(text) ? text : undefined;
}

/**
 * Writes the os-release of a known release (`alpine`, `ubuntu`, `debian`, `omnios`) to a
 * volume, and the accounts its console login accepts, if any.
 */
export function writeGuestOsRelease(
  root: string,
  dataset: string,
  id: string,
  accounts: GuestAccount[] = [],
): void {
  const os = knownGuestOs(id);
  if (!os) throw new Error(`unknown guest os: ${id} (alpine, ubuntu, debian or omnios)`);
  const tail = accounts.length > 0 ? `${renderGuestAccounts(accounts)}\0` : '';
  const label = Buffer.from(`${os.osRelease}\n\0${tail}`);
  if (label.length > LABEL_BYTES) throw new Error('the guest label is larger than 4 KiB');
  writeZvol(root, dataset, label);
}
