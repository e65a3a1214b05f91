import { nicenum } from '../core/sizes.js';

/**
 * zfs_nicebytes() (libzfs_util.c, ZFS_NICENUM_BYTES): zfs_nicenum() with `B` for sizes under
 * 1K, as send estimates and receive's `received ... stream` line print them.
 */
export function nicebytes(n: number): string {
  return n < 1024 ? `${n}B` : nicenum(n);
}
