import { ApiError } from '@apiary/protocol';
import type { HostExec } from '../host/exec.js';
import { failedWith } from '../host/host-command-error.js';
import { destroyDataset, listDatasetTree, receiveFromFile, setProperty } from '../host/zfs.js';

/*
 * An uploaded or pulled `zfs send` stream is foreign input that goes straight into the host's
 * kernel, in the global zone. A VM image must be one volume; a stream of a file system (with
 * its own mountpoint, setuid, exec or devices settings carried by `zfs send -p`/`-R`) must
 * never be mounted, not even for the moment before a type check, and not after a crash.
 *
 * ZFS itself tells the two apart before it writes anything: a receive names properties that
 * only file systems have, and for a single (non-recursive) stream whose BEGIN record says
 * "volume" it refuses with "property 'canmount' does not apply to datasets of this type"
 * (libzfs_sendrecv.c zfs_setup_cmdline_props). So:
 *
 * 1. Receive with `-u` and the file-system-only properties forced safe. A volume stream is
 *    refused there, nothing written; anything that is received is (or holds) a file system and
 *    lands unmountable: `canmount=off`, `mountpoint=none` (the children of a -R stream inherit
 *    it and setuid/exec/devices off, the stream's own values being excluded), never mounted.
 * 2. Only when step 1 said "volume": receive the same stream with `-u`, its reservation
 *    excluded (an image is sparse; its clones get their own size).
 * 3. Check what arrived: one volume, no descendants. Anything else is destroyed and refused.
 *    (A recursive stream of a volume passes step 1, since ZFS skips the properties that do not
 *    apply to a -R stream's datasets; it is a volume all the same, minus its reservation.)
 *
 * A dry run (`zfs receive -n -v`) cannot serve as the check: it prints the stream's names, not
 * its type, and returns before the command-line properties are checked.
 */

/** Forced on anything step 1 receives: no mount, ever, and nothing a mount could expose. */
const FILESYSTEM_QUARANTINE = {
  canmount: 'off',
  mountpoint: 'none',
  setuid: 'off',
  exec: 'off',
  devices: 'off',
};

const VOLUME_ONLY = 'does not apply to datasets of this type';

/** Receive `file` as the volume `target`; refuses (and removes) anything else. */
export async function receiveVolume(exec: HostExec, target: string, file: string): Promise<void> {
  let isVolume = false;
  try {
    await receiveFromFile(exec, target, file, { set: FILESYSTEM_QUARANTINE });
  } catch (error) {
    if (!failedWith(error, VOLUME_ONLY)) throw error;
    isVolume = true;
  }
  try {
    if (isVolume) await receiveFromFile(exec, target, file, { exclude: ['refreservation'] });
    const received = await listDatasetTree(exec, target);
    const top = received.find((r) => r.name === target);
    const descendants = received.filter(
      (r) => r.name !== target && !r.name.startsWith(`${target}@`),
    );
    if (top?.type !== 'volume' || descendants.length > 0) {
      throw new ApiError(
        'validation',
        'the image stream does not hold a single ZFS volume (file system streams are refused)',
      );
    }
    // A recursive (-R) stream of a volume passed step 1 with its own properties: its
    // reservation goes, as step 2 would have kept it out.
    if (!isVolume) await setProperty(exec, target, 'refreservation', 'none');
  } catch (error) {
    await destroyDataset(exec, target, true).catch(() => undefined);
    throw error;
  }
}
