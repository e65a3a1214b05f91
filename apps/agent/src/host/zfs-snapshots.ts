import type { Readable } from 'node:stream';
import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { checkName, DatasetName, SnapshotName } from './names.js';
import { getDataset } from './zfs.js';

/*
 * zfs verbs on several datasets at once and on snapshots: the atomic snapshot of a VM's disks,
 * rollback, volsize, send as a stream. Like zfs.ts, repeating one after a crash is harmless.
 */

const ds = (name: string) => checkName(DatasetName, name, 'dataset');
const snap = (name: string) => checkName(SnapshotName, name, 'snapshot');

/**
 * `zfs snapshot a@s b@s ...`: every snapshot or none (zfs_snapshot_nvl). When the command
 * fails because they all exist already (a repeat after a crash), that is success.
 */
export async function snapshotAtomically(exec: HostExec, names: string[]): Promise<void> {
  if (names.length === 0) return;
  try {
    await exec.run('zfs', ['snapshot', ...names.map(snap)]);
  } catch (error) {
    if (!failedWith(error, 'dataset already exists')) throw error;
    for (const name of names) if (!(await getDataset(exec, name))) throw error;
  }
}

/**
 * `zfs rollback [-r] DS@SNAP`. Without `destroyNewer`, ZFS refuses when later snapshots exist;
 * with it, they are destroyed (and ZFS still refuses when they have clones).
 */
export async function rollbackTo(exec: HostExec, name: string, destroyNewer: boolean) {
  await exec.run('zfs', ['rollback', ...(destroyNewer ? ['-r'] : []), snap(name)]);
}

/** `zfs set volsize=BYTES VOLUME` (a multiple of the volume block size). */
export async function setVolsize(exec: HostExec, volume: string, bytes: number) {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new TypeError(`bad volsize ${bytes}`);
  await exec.run('zfs', ['set', `volsize=${bytes}`, ds(volume)]);
}

/**
 * `zfs send DS@SNAP` as a stream of bytes; `done` settles when zfs exits (rejecting when it
 * failed). Needs an exec that can stream (the real one can).
 */
export function sendStream(
  exec: HostExec,
  name: string,
): { stdout: Readable; done: Promise<void> } {
  if (!exec.stream) throw new Error('this host exec cannot stream command output');
  return exec.stream('zfs', ['send', snap(name)]);
}

/**
 * `zfs destroy DS@SNAP`; gone already is success. zfs says so of a missing snapshot as `could
 * not find any snapshots to destroy; check snapshot names.` (zfs_main.c zfs_do_destroy), or
 * `dataset does not exist` when the dataset itself is gone.
 */
export async function destroySnapshot(exec: HostExec, name: string): Promise<void> {
  try {
    await exec.run('zfs', ['destroy', snap(name)]);
  } catch (error) {
    if (failedWith(error, 'could not find any snapshots to destroy', 'does not exist')) return;
    throw error;
  }
}
