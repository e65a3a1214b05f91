import { ApiError, type VmSpec } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import type { images } from '../../db/pg-schema.js';
import { resolveImageRef } from '../images/images.js';
import { requireMinDisk } from '../images/min-disk.js';

type ImageRow = typeof images.$inferSelect;

/** What a VM boots from: an image its boot disk is cloned from, or an ISO it installs from. */
export interface BootSource {
  image: ImageRow;
  /** True: `image` is an ISO in the VM's CD-ROM, booted first; the boot disk starts empty. */
  bootIso: boolean;
}

/**
 * Resolves the image or ISO a VM spec names (`index`: its place in the request, for the issue's
 * path) and checks its format: an ISO cannot be cloned into a boot disk, and a disk image cannot
 * be booted as a CD-ROM; a disk smaller than the image's `min_disk` is refused too. Each refusal
 * is a 400 naming the field, before anything is placed.
 */
export async function resolveBootSource(
  ctx: Ctx,
  orgId: string,
  spec: Pick<VmSpec, 'image' | 'boot_iso' | 'disk'>,
  index: number,
): Promise<BootSource> {
  const bootIso = spec.boot_iso !== undefined;
  const ref = spec.boot_iso ?? spec.image;
  // The schema lets exactly one through; this guards a caller that skipped it.
  if (ref === undefined) throw new ApiError('validation', 'give an image or boot_iso');
  const image = await resolveImageRef(ctx, orgId, ref);
  const isIso = image.format === 'iso';
  if (isIso === bootIso) {
    if (!bootIso) requireMinDisk(image, spec.disk, `body.vms.${index}.disk`);
    return { image, bootIso };
  }
  const field = bootIso ? 'boot_iso' : 'image';
  const message = bootIso
    ? `${ref} is a disk image (format ${image.format}), not an ISO: give it as image`
    : `${ref} is an ISO (format iso): a VM installs from it with boot_iso and a disk size`;
  // Shaped like the binder's own validation errors, so clients point at the same field.
  const path = `body.vms.${index}.${field}`;
  throw new ApiError('validation', `${path}: ${message}`, {
    details: [{ path, code: 'custom', message, own_message: true }],
  });
}
