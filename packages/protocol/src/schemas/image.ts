import { z } from 'zod';
import { ImageFormat } from './agent.js';
import { Timestamp } from './common.js';
import { ImageDigest, ImageName } from './names.js';

/** An image blob held by the controller, content-addressed by its sha256 digest. */
export const Image = z.object({
  digest: ImageDigest,
  name: ImageName,
  format: ImageFormat,
  size: z.int().min(0),
  org_id: z.string().nullable(),
  created_at: Timestamp,
  /** Hosts that hold a copy (placement prefers them). */
  hosts: z.array(z.string()),
});
export type Image = z.infer<typeof Image>;

/** `POST /v1/images?name=...&format=...` with the image as the streamed body. */
export const UploadImageReqQuery = z.strictObject({
  name: ImageName,
  format: ImageFormat.default('zfs-send'),
  /** Make the image visible to every organization (super-admin only). */
  public: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export type UploadImageReqQuery = z.infer<typeof UploadImageReqQuery>;
