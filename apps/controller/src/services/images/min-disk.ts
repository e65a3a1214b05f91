import { ApiError } from '@apiary/protocol';
import type { images } from '../../db/pg-schema.js';

type ImageRow = typeof images.$inferSelect;

/**
 * An image's `min_disk` (MiB) is the smallest boot disk it fits on (a raw disk's size, a
 * qcow2's virtual size, or what its uploader said): a VM asking for less would be cloned onto
 * a disk its file system does not fit, so it is refused before anything is placed. `path`
 * names the field (`body.vms.0.disk`, `body.disk`) as the binder's validation errors do.
 */
export function requireMinDisk(image: ImageRow, disk: number, path: string): void {
  if (image.format === 'iso' || image.minDisk === null || disk >= image.minDisk) return;
  const message = `image ${image.name} needs a disk of at least ${image.minDisk} MiB (its min_disk); ${disk} MiB is smaller`;
  throw new ApiError('validation', `${path}: ${message}`, {
    details: [{ path, code: 'custom', message, own_message: true }],
  });
}
