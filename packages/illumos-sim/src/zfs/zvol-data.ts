import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { DatasetRecord } from '../core/state-types.js';

/**
 * The bytes of volumes. A volume's data is the regular file `<host root>/dev/zvol/rdsk/<name>`
 * (hard-linked as `dsk`): it starts empty and grows as it is written, its length is how much
 * of the volume holds data. A snapshot keeps a copy under `<state dir>/snapdata/`, named by the
 * snapshot's createtxg (guids are not unique on a host: a stream received into the pool it
 * came from keeps its guid). Streams carry data in CHUNK-sized records; all-zero chunks travel
 * as holes, as ZFS sends FREE records for them.
 */
export const CHUNK = 128 * 1024;

export function snapshotDataPath(root: string, snap: DatasetRecord): string {
  return join(root, 'snapdata', `txg-${snap.createtxg}`);
}

/** Where a resumable incremental receive into `fs` keeps the bytes of its hidden clone. */
export function recvCloneDataPath(root: string, fs: DatasetRecord): string {
  return join(root, 'snapdata', `recv-${fs.createtxg}`);
}

export function fileLength(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Copies a data file (a missing source makes an empty target). */
export function copyData(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  if (existsSync(from)) copyFileSync(from, to);
  else {
    rmSync(to, { force: true });
    closeSync(openSync(to, 'w'));
  }
}

/** Reads `length` bytes at `offset` (zeros past the end of the file). */
export function readRange(path: string, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  if (!existsSync(path)) return buf;
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** Writes `data` at `offset`, creating the file when needed. */
export function writeRange(path: string, offset: number, data: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
  try {
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done, offset + done);
  } finally {
    closeSync(fd);
  }
}

/** Sets a data file's length (extending with a hole or cutting the tail). */
export function setLength(path: string, length: number): void {
  if (!existsSync(path)) closeSync(openSync(path, 'w'));
  truncateSync(path, length);
}

const ZEROS = Buffer.alloc(CHUNK);

/** Whether a buffer of at most CHUNK bytes is all zeros (memcmp, not a byte loop). */
export function isZero(buf: Buffer): boolean {
  return buf.equals(buf.length === CHUNK ? ZEROS : ZEROS.subarray(0, buf.length));
}

export interface DataChunk {
  offset: number;
  /** Undefined for an all-zero chunk (a hole). */
  data: Buffer | undefined;
  length: number;
}

/**
 * The chunks of `path` from `start` on; with `base`, only those that differ from the same
 * range of `base` (an incremental stream carries the blocks written since its source).
 */
export function* dataChunks(path: string, start = 0, base?: string): Generator<DataChunk> {
  const length = fileLength(path);
  for (let offset = start; offset < length; offset += CHUNK) {
    const size = Math.min(CHUNK, length - offset);
    const data = readRange(path, offset, size);
    if (base !== undefined && data.equals(readRange(base, offset, size))) continue;
    yield { offset, length: size, data: isZero(data) ? undefined : data };
  }
}

/** Bytes of `path` that differ from `base`, in whole chunks (a send estimate's basis). */
export function changedBytes(path: string, base: string): number {
  let n = 0;
  for (const chunk of dataChunks(path, 0, base)) n += chunk.length;
  return n;
}

/** Whether two data files hold the same bytes. */
export function sameData(a: string, b: string): boolean {
  const length = fileLength(a);
  if (length !== fileLength(b)) return false;
  for (let offset = 0; offset < length; offset += CHUNK) {
    const size = Math.min(CHUNK, length - offset);
    if (!readRange(a, offset, size).equals(readRange(b, offset, size))) return false;
  }
  return true;
}
