import { join } from 'node:path';
import { readState } from '../core/state-store.js';
import { getDataset, zvolDevice } from './zfs-model.js';
import { fileLength, readRange, writeRange } from './zvol-data.js';

/**
 * Reading and writing a simulated volume's bytes from a test or a tool, as a guest writing
 * its disk would: the data is the file `<host dir>/root/dev/zvol/rdsk/<dataset>` (the `dsk`
 * path is a hard link to it), which starts empty and holds what has been written (reads past
 * its end are zeros). Snapshots, clones, rollback, send and receive carry these bytes.
 *
 * @example
 * writeZvol(hostA, 'rpool/vm1/disk0', Buffer.from('boot sector'));
 * // zfs snapshot, zfs send | zfs receive into hostB ...
 * readZvol(hostB, 'rpool/vm1/disk0', { length: 11 }).toString(); // 'boot sector'
 */
export function zvolPath(root: string, dataset: string, options: { raw?: boolean } = {}): string {
  return zvolDevice(join(root, 'root'), dataset, options.raw ?? true);
}

function volsizeOf(root: string, dataset: string): number {
  const ds = getDataset(readState(root), dataset);
  if (ds?.type !== 'volume') throw new Error(`${dataset} is not a volume on ${root}`);
  return ds.volsize ?? 0;
}

/** Writes `data` at `offset`; a write past the end of the volume fails as on the device. */
export function writeZvol(root: string, dataset: string, data: Buffer | string, offset = 0): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const volsize = volsizeOf(root, dataset);
  if (!Number.isInteger(offset) || offset < 0 || offset + bytes.length > volsize) {
    throw new RangeError(
      `write of ${bytes.length} bytes at ${offset} is outside ${dataset} (volsize ${volsize})`,
    );
  }
  writeRange(zvolPath(root, dataset), offset, bytes);
}

/** Reads `length` bytes at `offset` (default: everything written so far). */
export function readZvol(
  root: string,
  dataset: string,
  options: { offset?: number; length?: number } = {},
): Buffer {
  volsizeOf(root, dataset);
  const path = zvolPath(root, dataset);
  const offset = options.offset ?? 0;
  const length = options.length ?? Math.max(0, fileLength(path) - offset);
  return readRange(path, offset, length);
}
