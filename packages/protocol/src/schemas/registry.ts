import { z } from 'zod';
import { Timestamp } from './common.js';
import { ImageMetadataInput } from './image-metadata.js';
import { ImageName } from './names.js';

/*
 * Vagrant-compatible box registries (Vagrant Cloud, BoxVault, any server speaking the box
 * catalog format; see docs/images.md) and the images Apiary pulls or fetches from the world.
 */

/** A URL the controller downloads from: http(s) only, no credentials in it. */
export const FetchUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine((u) => {
    // zod runs this check even when the URL check above failed: that one has said so already.
    if (!URL.canParse(u)) return true;
    const parsed = new URL(u);
    return parsed.username === '' && parsed.password === '';
  }, 'must not carry a user name or password (registries take a token)');

/** A registry's name in an organization, as people type it after `--registry`. */
export const RegistryName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, '1-63 lowercase letters, digits, dots, dashes');

/** `ORG/BOX` as Vagrant names boxes. */
export const BoxName = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/, 'ORG/BOX')
  .refine((s) => !s.includes('..'), 'must not contain ..');

/** A box version (`1.2.0`, `20240601.0.1`). */
export const BoxVersion = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'a version such as 1.2.0');

/** A registry as the API shows it: never its token, only whether it has one. */
export const Registry = z.object({
  id: z.string(),
  name: RegistryName,
  url: z.string(),
  org_id: z.string(),
  has_token: z.boolean(),
  created_at: Timestamp,
});
export type Registry = z.infer<typeof Registry>;

/** `POST /v1/registries`. */
export const CreateRegistryReq = z.strictObject({
  name: RegistryName,
  url: FetchUrl,
  /** Sent as `Authorization: Bearer` to the registry; kept encrypted, never shown again. */
  token: z.string().min(1).max(4096).optional(),
  org_id: z.string().optional(),
});
export type CreateRegistryReq = z.infer<typeof CreateRegistryReq>;

/** `GET /v1/registries/:id/boxes?q=`. */
export const BoxSearchQuery = z.strictObject({
  q: z.string().max(200).optional(),
});
export type BoxSearchQuery = z.infer<typeof BoxSearchQuery>;

/** A box a registry offers, with the versions and providers it holds. */
export const RegistryBox = z.object({
  name: z.string(),
  description: z.string().nullable(),
  versions: z.array(
    z.object({
      version: z.string(),
      providers: z.array(z.string()),
    }),
  ),
});
export type RegistryBox = z.infer<typeof RegistryBox>;

export const RegistryBoxes = z.object({ items: z.array(RegistryBox) });
export type RegistryBoxes = z.infer<typeof RegistryBoxes>;

/** `POST /v1/images/pull-box`. */
export const PullBoxReq = z.strictObject({
  /** A registry of the organization, by id or name, or the URL of one. */
  registry: z.string().min(1).max(2048),
  box: BoxName,
  /** The newest version holding a provider Apiary runs when not given. */
  version: BoxVersion.optional(),
  /** The image's name (default: the box's name, lowercased, `/` as `-`). */
  name: ImageName.optional(),
  public: z.boolean().optional(),
});
export type PullBoxReq = z.infer<typeof PullBoxReq>;

/** `POST /v1/images/fetch`: a cloud image by URL (raw or qcow2; qcow2 is converted). */
export const FetchImageReq = z.strictObject({
  url: FetchUrl,
  name: ImageName,
  /** Default: from the URL's file name (`.qcow2`, `.raw`/`.img`, `.iso`, else `zfs-send`). */
  format: z.enum(['zfs-send', 'raw', 'iso', 'qcow2']).optional(),
  public: z.boolean().optional(),
  metadata: ImageMetadataInput.optional(),
});
export type FetchImageReq = z.infer<typeof FetchImageReq>;
