import { z } from 'zod';
import { AgentImageFormat } from './agent.js';
import { GuestUserName } from './guest-user.js';

/*
 * What a person (or a registry) tells about an image besides its bytes: the guest OS, whether it
 * runs cloud-init, the user its SSH keys go to, and the smallest disk it fits. Every field is
 * optional: a hand-made `zfs send` stream may say nothing.
 */

/** Formats an upload or a URL fetch may bring: the stored ones, and qcow2 (converted to raw). */
export const UploadFormat = z.enum([...AgentImageFormat.options, 'qcow2']);
export type UploadFormat = z.infer<typeof UploadFormat>;

/** How an image arrived: as one of the upload formats, or unpacked from a Vagrant `.box`. */
export const ImageSourceFormat = z.enum([...UploadFormat.options, 'box']);
export type ImageSourceFormat = z.infer<typeof ImageSourceFormat>;

/** A short free-text label (OS name, version, architecture, user name). */
const Label = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._+-]*$/, 'letters, digits, spaces and . _ + -');

export const ImageMetadata = z.object({
  /** Guest operating system (`debian`, `ubuntu`, `omnios`). */
  os: Label.nullable(),
  /** Its version (`12`, `24.04`, `r151052`). */
  version: Label.nullable(),
  /** CPU architecture (`x86_64`, `amd64`). */
  arch: Label.nullable(),
  /** Whether the guest runs cloud-init (hostname, keys and growpart come from user-data). */
  cloud_init: z.boolean().nullable(),
  /** The user cloud-init gives the SSH keys to (`debian`, `ubuntu`). */
  default_user: GuestUserName.nullable(),
  /** The smallest disk, in MiB, the image fits on (its raw size rounded up, unless told). */
  min_disk: z
    .int()
    .min(1)
    .max(64 * 1024 * 1024)
    .nullable(),
  /** Free text (a box's description). */
  description: z.string().max(1000).nullable(),
});
export type ImageMetadata = z.infer<typeof ImageMetadata>;

/** The metadata as an upload's query string carries it (all optional strings). */
export const ImageMetadataQuery = z.object({
  os: Label.optional(),
  version: Label.optional(),
  arch: Label.optional(),
  cloud_init: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  default_user: GuestUserName.optional(),
  min_disk: z.coerce
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024)
    .optional(),
  description: z.string().max(1000).optional(),
});
export type ImageMetadataQuery = z.infer<typeof ImageMetadataQuery>;

/** The metadata as a JSON request body carries it. */
export const ImageMetadataInput = ImageMetadata.partial().extend({
  cloud_init: z.boolean().optional(),
});
export type ImageMetadataInput = z.infer<typeof ImageMetadataInput>;

/** The registry box an image was pulled from. */
export const BoxOrigin = z.object({
  /** `ORG/BOX` as the registry names it. */
  name: z.string(),
  version: z.string(),
  /** The box's provider (`bhyve`, `zone`). */
  provider: z.string(),
  registry_id: z.string().nullable(),
});
export type BoxOrigin = z.infer<typeof BoxOrigin>;
