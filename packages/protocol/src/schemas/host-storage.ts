import { z } from 'zod';

/*
 * The host's storage as an agent shows it to administrators (`/api/storage/...`): pools with
 * their vdev layout, datasets, and swap. Sizes are exact bytes (read with `-p`), never rounded
 * human strings, so a client can compute with them.
 */

/** zpool name (zpool(8)): a letter first, then letters, digits, `_ . : -`. */
export const PoolNameParam = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,62}$/, 'must be a pool name (a letter first)');

const COMPONENT = '[A-Za-z0-9_:][A-Za-z0-9_.:-]*';

/**
 * A dataset path `pool/a/b` (zfs(8) component rules; no snapshot part, no spaces, never `.`
 * or `..` as a component), at most 255 bytes (ZFS_MAX_DATASET_NAME_LEN - 1).
 */
export const DatasetPath = z
  .string()
  .max(255)
  .regex(
    new RegExp(`^[A-Za-z][A-Za-z0-9_.:-]*(?:/${COMPONENT})*$`),
    'must be a dataset name like pool/a/b',
  )
  .refine((s) => !s.split('/').some((c) => c === '.' || c === '..'), 'must not contain . or ..');
export type DatasetPath = z.infer<typeof DatasetPath>;

/** One vdev of `zpool status`, with its children (a mirror's disks, a raidz's disks). */
export interface PoolVdev {
  name: string;
  /** `disk`, `file`, `mirror`, `raidz1`, `raidz2`, `raidz3`, `draid`, `spare`, `replacing`. */
  type: string;
  state: string;
  read: number;
  write: number;
  cksum: number;
  children: PoolVdev[];
}
export const PoolVdev: z.ZodType<PoolVdev> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.string(),
    state: z.string(),
    read: z.number().min(0),
    write: z.number().min(0),
    cksum: z.number().min(0),
    children: z.array(PoolVdev),
  }),
);

export const StoragePool = z.object({
  name: z.string(),
  size: z.number().min(0),
  allocated: z.number().min(0),
  free: z.number().min(0),
  /** Percent of free space fragmented; null when the pool does not report it. */
  fragmentation: z.number().min(0).nullable(),
  health: z.string(),
  /** The data vdevs, as `zpool status` lays them out. */
  vdevs: z.array(PoolVdev),
  /** Separate intent log, cache and spare devices (empty when none). */
  logs: z.array(PoolVdev),
  cache: z.array(PoolVdev),
  spares: z.array(PoolVdev),
  /** `errors:` line of `zpool status`. */
  errors: z.string().nullable(),
});
export type StoragePool = z.infer<typeof StoragePool>;

export const StoragePoolList = z.object({ items: z.array(StoragePool) });
export type StoragePoolList = z.infer<typeof StoragePoolList>;

/**
 * Who a dataset belongs to: `apiary` (images, VM disks, zone roots and their parents: read-only
 * here), `api` (created through this API), `host` (everything else).
 */
export const DatasetOwner = z.enum(['apiary', 'api', 'host']);
export type DatasetOwner = z.infer<typeof DatasetOwner>;

export const Compression = z.enum([
  'on',
  'off',
  'lzjb',
  'lz4',
  'zle',
  'gzip',
  'gzip-1',
  'gzip-2',
  'gzip-3',
  'gzip-4',
  'gzip-5',
  'gzip-6',
  'gzip-7',
  'gzip-8',
  'gzip-9',
]);
export type Compression = z.infer<typeof Compression>;

export const StorageDataset = z.object({
  name: z.string(),
  type: z.enum(['filesystem', 'volume', 'snapshot']),
  used: z.number().min(0),
  available: z.number().min(0).nullable(),
  referenced: z.number().min(0).nullable(),
  /** null: none. */
  quota: z.number().min(0).nullable(),
  reservation: z.number().min(0).nullable(),
  compression: z.string().nullable(),
  mountpoint: z.string().nullable(),
  volsize: z.number().min(0).nullable(),
  recordsize: z.number().min(0).nullable(),
  volblocksize: z.number().min(0).nullable(),
  atime: z.string().nullable(),
  owner: DatasetOwner,
});
export type StorageDataset = z.infer<typeof StorageDataset>;

export const StorageDatasetList = z.object({ items: z.array(StorageDataset) });
export type StorageDatasetList = z.infer<typeof StorageDatasetList>;

export const DatasetQuery = z.strictObject({
  pool: PoolNameParam.optional(),
  /** What to list (default: file systems and volumes). */
  type: z.enum(['filesystem', 'volume', 'snapshot', 'all']).optional(),
});
export type DatasetQuery = z.infer<typeof DatasetQuery>;

const powerOfTwo = (min: number, max: number) =>
  z
    .int()
    .min(min)
    .max(max)
    .refine((n) => (n & (n - 1)) === 0, 'must be a power of two');

/** Bytes, or null for `none` (quota, reservation). */
const OptionalBytes = z.int().min(0).max(Number.MAX_SAFE_INTEGER).nullable();

/** What `PATCH` may change (and `POST` may set): space limits, compression, atime. */
export const DatasetChange = z.strictObject({
  quota: OptionalBytes.optional(),
  reservation: OptionalBytes.optional(),
  compression: Compression.optional(),
  atime: z.enum(['on', 'off']).optional(),
});
export type DatasetChange = z.infer<typeof DatasetChange>;

/** Properties only `POST` takes: block sizes are fixed once data is written. */
export const DatasetCreateProperties = DatasetChange.extend({
  /** File systems: 512 B to 1 MiB. */
  recordsize: powerOfTwo(512, 1024 * 1024).optional(),
  /** Volumes: 512 B to 128 KiB. */
  volblocksize: powerOfTwo(512, 128 * 1024).optional(),
});

export const CreateDatasetReq = z
  .strictObject({
    name: DatasetPath,
    type: z.enum(['filesystem', 'volume']).default('filesystem'),
    /** Volumes only: the size in bytes (a multiple of volblocksize, 8 KiB by default). */
    size: z.int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    /** Volumes only: no reservation (thin); default false, a volume reserves its size. */
    sparse: z.boolean().optional(),
    properties: DatasetCreateProperties.prefault({}),
  })
  .superRefine((r, ctx) => {
    const issue = (path: string[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    if (!r.name.includes('/')) issue(['name'], 'must name a dataset inside a pool (pool/name)');
    if (r.type === 'volume') {
      if (r.size === undefined) issue(['size'], 'a volume needs a size');
      else if (r.size % (r.properties.volblocksize ?? 8192) !== 0)
        issue(['size'], 'must be a multiple of the volume block size');
      if (r.properties.recordsize !== undefined)
        issue(['properties', 'recordsize'], 'applies to file systems only');
    } else {
      if (r.size !== undefined) issue(['size'], 'only volumes have a size');
      if (r.sparse !== undefined) issue(['sparse'], 'only volumes can be sparse');
      if (r.properties.volblocksize !== undefined)
        issue(['properties', 'volblocksize'], 'applies to volumes only');
    }
  });
export type CreateDatasetReq = z.infer<typeof CreateDatasetReq>;
export type CreateDatasetReqInput = z.input<typeof CreateDatasetReq>;

export const UpdateDatasetReq = DatasetChange.refine((r) => Object.keys(r).length > 0, {
  message: 'give at least one of quota, reservation, compression, atime',
});
export type UpdateDatasetReq = z.infer<typeof UpdateDatasetReq>;

/** `/api/storage/datasets/:name`: the dataset name URL-encoded (`rpool%2Fdata`). */
export const DatasetParams = z.strictObject({ name: DatasetPath });

export const DeleteDatasetQuery = z.strictObject({
  /** `zfs destroy -r`: children and snapshots too. */
  recursive: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

/** One row of `swap -l`. Blocks are 512-byte units, as swap(8) counts them. */
export const SwapDevice = z.object({
  path: z.string(),
  /** The volume behind a `/dev/zvol/dsk/...` device; null for a file or another device. */
  dataset: z.string().nullable(),
  swaplo: z.int().min(0),
  blocks: z.int().min(0),
  free: z.int().min(0),
});
export type SwapDevice = z.infer<typeof SwapDevice>;

export const SwapList = z.object({ items: z.array(SwapDevice) });
export type SwapList = z.infer<typeof SwapList>;

/**
 * `POST /api/storage/swap`: swap on a volume; with `size`, the volume is created first (and
 * destroyed again if adding it fails).
 */
export const AddSwapReq = z
  .strictObject({
    name: DatasetPath,
    size: z.int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .refine((r) => r.size === undefined || r.size % 8192 === 0, {
    message: 'must be a multiple of 8 KiB',
    path: ['size'],
  });
export type AddSwapReq = z.infer<typeof AddSwapReq>;

export const RemoveSwapQuery = z.strictObject({
  /** Destroy the volume once it no longer swaps. */
  destroy: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
