import { statfs } from 'node:fs/promises';
import { ApiError } from '@apiary/protocol';

/** Free bytes of the file system holding `path` (what an unprivileged writer may use). */
export type FreeSpace = (path: string) => Promise<number>;

export const statfsFreeSpace: FreeSpace = async (path) => {
  const s = await statfs(path);
  return s.bavail * s.bsize;
};

/** How many bytes may be written between two looks at the disk when far from the floor. */
const LOOK_EVERY = 16 * 1024 * 1024;

export function belowFloor(): ApiError {
  return new ApiError(
    'insufficient_storage',
    'the controller is low on disk space: image uploads are refused until space is freed',
    { forClient: true },
  );
}

/**
 * Keeps an upload from taking the disk under the controller's database below a free-space
 * floor. The disk is looked at before the first byte and again as bytes arrive (every 16 MiB,
 * and at every chunk once within 16 MiB of the floor), since other writers share it. Between
 * looks, and in case the file system reports our own writes late (ZFS until its transaction
 * group syncs), every byte written counts against the lowest free space seen: the estimate
 * only goes down. `paths` are the database's and the images' directories (often one file
 * system).
 */
export class DiskFloor {
  private estimate = Number.POSITIVE_INFINITY;
  private written = 0;
  private lookedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly freeSpace: FreeSpace,
    private readonly paths: string[],
    private readonly floor: number,
  ) {}

  /** `written`: bytes written so far; refuses when `more` further bytes would cross the floor. */
  async check(written: number, more = 0): Promise<void> {
    this.estimate -= written - this.written;
    this.written = written;
    const near = this.estimate - more < this.floor + LOOK_EVERY;
    if (near || written - this.lookedAt >= LOOK_EVERY) {
      const seen = await Promise.all(this.paths.map((p) => this.freeSpace(p)));
      this.estimate = Math.min(this.estimate, ...seen);
      this.lookedAt = written;
    }
    if (this.estimate - more < this.floor) throw belowFloor();
  }
}
