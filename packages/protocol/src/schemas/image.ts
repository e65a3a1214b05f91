import { z } from 'zod';
import { AgentImageFormat } from './agent.js';
import { Pagination, Timestamp } from './common.js';
import {
  BoxOrigin,
  ImageMetadata,
  ImageMetadataQuery,
  ImageSourceFormat,
  UploadFormat,
} from './image-metadata.js';
import { ImageDigest, ImageName } from './names.js';
import { RecipeName } from './recipe.js';

/** An image blob held by the controller, content-addressed by its sha256 digest. */
export const Image = z.object({
  digest: ImageDigest,
  name: ImageName,
  /** `iso` images are CD-ROMs (issue 13): attached to VMs, never cloned into a boot disk. */
  format: AgentImageFormat,
  size: z.int().min(0),
  org_id: z.string().nullable(),
  created_at: Timestamp,
  /** Hosts that hold a copy (placement prefers them). */
  hosts: z.array(z.string()),
  /**
   * The digest of what was uploaded or downloaded when it is not what agents receive (a qcow2
   * converted to raw, a disk unpacked from a `.box`); null when the two are the same.
   */
  source_digest: ImageDigest.nullable(),
  /** The format the image arrived in (`qcow2`, `box`, or its stored format). */
  source_format: ImageSourceFormat.nullable(),
  ...ImageMetadata.shape,
  /** Where a box pulled from a registry came from. */
  box: BoxOrigin.nullable(),
  /** The serial-console recipe its VMs run when their spec names none (issue 16). */
  default_recipe: RecipeName.nullable().optional(),
});
export type Image = z.infer<typeof Image>;

/** `PUT /v1/images/{digest}/default-recipe`: set (or, with null, clear) an image's recipe. */
export const SetImageRecipeReq = z.strictObject({ recipe: RecipeName.nullable() });
export type SetImageRecipeReq = z.infer<typeof SetImageRecipeReq>;

/** `GET /v1/images[?format=iso]`: a page of the images the caller sees, of one format if asked. */
export const ListImagesQuery = Pagination.extend({ format: AgentImageFormat.optional() });
export type ListImagesQuery = z.infer<typeof ListImagesQuery>;

/** `POST /v1/images?name=...&format=...` with the image as the streamed body. */
export const UploadImageReqQuery = z.strictObject({
  name: ImageName,
  /** `qcow2` is converted to `raw` on the controller (qemu-img) before it is stored. */
  format: UploadFormat.default('zfs-send'),
  ...ImageMetadataQuery.shape,
  /** Make the image visible to every organization (super-admin only). */
  public: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export type UploadImageReqQuery = z.infer<typeof UploadImageReqQuery>;

/**
 * What an organization's images take on the controller, against its quota. Every image record
 * of the organization counts its full size (deduplicated blobs included: the quota is what the
 * organization asked the controller to keep). Public images count for no organization.
 */
export const OrgImageUsage = z.object({
  count: z.int().min(0),
  bytes: z.int().min(0),
  quota_bytes: z.int().min(0),
  /** True when the quota is the controller's default (`--org-image-quota-bytes`). */
  quota_is_default: z.boolean(),
});
export type OrgImageUsage = z.infer<typeof OrgImageUsage>;

/** `GET /v1/orgs/:id/usage`. */
export const OrgUsage = z.object({
  org_id: z.string(),
  images: OrgImageUsage,
});
export type OrgUsage = z.infer<typeof OrgUsage>;

/** `PUT /v1/orgs/:id/image-quota`: bytes, or null for the controller's default. */
export const SetImageQuotaReq = z.strictObject({
  quota_bytes: z.int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
});
export type SetImageQuotaReq = z.infer<typeof SetImageQuotaReq>;
