import type { Image } from '@apiary/protocol';
import type { images } from '../../db/pg-schema.js';

type Row = typeof images.$inferSelect;

/** An image's provenance and metadata columns as the API shows them. */
export function imageDetails(
  r: Row,
): Pick<
  Image,
  | 'source_digest'
  | 'source_format'
  | 'os'
  | 'version'
  | 'arch'
  | 'cloud_init'
  | 'default_user'
  | 'min_disk'
  | 'description'
  | 'box'
> {
  return {
    source_digest: (r.sourceDigest as Image['source_digest']) ?? null,
    source_format: (r.sourceFormat as Image['source_format']) ?? null,
    os: r.os,
    version: r.version,
    arch: r.arch,
    cloud_init: r.cloudInit,
    default_user: r.defaultUser,
    min_disk: r.minDisk,
    description: r.description,
    box:
      r.boxName && r.boxVersion && r.boxProvider
        ? {
            name: r.boxName,
            version: r.boxVersion,
            provider: r.boxProvider,
            registry_id: r.boxRegistryId,
          }
        : null,
  };
}
