import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  type AgentImageFormat,
  ApiError,
  type Image,
  type ImageMetadata,
  type ImageSourceFormat,
  type ListImagesQuery,
  type Pagination,
  type UploadImageReqQuery,
} from '@apiary/protocol';
import {
  and,
  count,
  desc,
  eq,
  inArray,
  isNull,
  ne,
  or,
  type Placeholder,
  type SQL,
} from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Tables } from '../../db/database.js';
import type { images } from '../../db/pg-schema.js';
import { param, statement } from '../../db/prepared-statement.js';
import { iso } from '../../lib/clock.js';
import { resolveTargetOrg } from '../auth/orgs.js';
import { isSuperAdmin, type Principal, requireRole } from '../auth/principal.js';
import { getRecipe } from '../recipes/recipes.js';
import { DiskFloor } from './disk-floor.js';
import { imageDetails } from './image-details.js';
import { checkQuota, quotaExceeded } from './image-quota.js';
import { type PreparedDisk, prepareDisk } from './intake/prepare-disk.js';
import { stageStream } from './intake/stage-stream.js';
import { withStaging } from './intake/staging.js';
import { type BoxRecord, recordImage } from './record-image.js';

type Row = typeof images.$inferSelect;

/** Images an organization sees: its own and the public ones (null: every image). */
export function imageScope(
  { images }: Tables,
  orgId: string | Placeholder | null | undefined,
): SQL | undefined {
  if (orgId === undefined) return undefined;
  return orgId === null ? isNull(images.orgId) : or(isNull(images.orgId), eq(images.orgId, orgId));
}

function principalScope(ctx: Ctx, p: Principal) {
  return imageScope(ctx.t, isSuperAdmin(p) ? undefined : (p.orgId ?? null));
}

async function toViews(ctx: Ctx, p: Principal | null, rows: Row[]): Promise<Image[]> {
  const { hostImages, hosts } = ctx.t;
  if (rows.length === 0) return [];
  const held = await ctx.db
    .select({ digest: hostImages.digest, hostId: hostImages.hostId, orgId: hosts.orgId })
    .from(hostImages)
    .innerJoin(hosts, eq(hosts.id, hostImages.hostId))
    .where(inArray(hostImages.digest, [...new Set(rows.map((r) => r.digest))]));
  return rows.map((r) => ({
    digest: r.digest as Image['digest'],
    name: r.name,
    format: r.format,
    size: r.size,
    org_id: r.orgId,
    created_at: iso(r.createdAt),
    // Only hosts the caller may see are named.
    hosts: held
      .filter((h) => h.digest === r.digest && (!p || isSuperAdmin(p) || h.orgId === p.orgId))
      .map((h) => h.hostId)
      .sort(),
    ...imageDetails(r),
    default_recipe: r.defaultRecipe,
  }));
}

/** Who stores an image, and what it is called and told about. */
export interface ImageIntake {
  name: string;
  /** Make the image visible to every organization (super-admin only). */
  public?: boolean;
  metadata?: Partial<ImageMetadata>;
}

/**
 * Stores an upload. Refused before a byte is read when the declared length would exceed the
 * organization's quota or take the disk under the database below its floor, and stopped part-way
 * (the partial file removed) when the bytes that arrive do. The record is written in a
 * transaction that checks the quota again, so uploads running side by side cannot together
 * exceed it. A qcow2 is staged, checked and converted to raw first (intake/prepare-disk.ts).
 */
export async function uploadImage(
  ctx: Ctx,
  p: Principal,
  q: UploadImageReqQuery,
  body: ReadableStream<Uint8Array> | null,
  declaredBytes = 0,
): Promise<{ image: Image; created: boolean }> {
  const { name, format, public: isPublic, ...metadata } = q;
  const intake: ImageIntake = { name, public: isPublic, metadata };
  const orgId = await intakeOrg(ctx, p, intake);
  if (!body) throw new ApiError('validation', 'the request body must be the image');
  const source = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
  if (format !== 'qcow2') {
    return storeImage(ctx, p, orgId, intake, source, {
      format,
      sourceDigest: null,
      sourceFormat: format,
      diskMiB: null,
      declaredBytes,
    });
  }
  return withStaging(ctx, async (dir) => {
    const path = join(dir, 'source.qcow2');
    const staged = await stageStream(source, path, ctx.config.maxImageBytes);
    return storePrepared(
      ctx,
      p,
      orgId,
      intake,
      await prepareDisk(ctx, dir, { path, format, ...staged }),
    );
  });
}

/** The organization an image goes to (null: public), after the caller's rights are checked. */
export async function intakeOrg(ctx: Ctx, p: Principal, intake: ImageIntake) {
  requireRole(p, 'org_admin', 'storing an image');
  if (intake.public) requireRole(p, 'super_admin', 'storing a public image');
  return intake.public ? null : await resolveTargetOrg(ctx, p, undefined);
}

/** Stores a prepared file (converted, unpacked, downloaded) as an image. */
export async function storePrepared(
  ctx: Ctx,
  p: Principal,
  orgId: string | null,
  intake: ImageIntake,
  disk: PreparedDisk,
  box?: BoxRecord,
) {
  const size = (await stat(disk.path)).size;
  return storeImage(ctx, p, orgId, intake, createReadStream(disk.path), {
    ...disk,
    declaredBytes: size,
    box,
  });
}

interface StoreSource {
  format: AgentImageFormat;
  sourceDigest: `sha256:${string}` | null;
  sourceFormat: ImageSourceFormat;
  diskMiB: number | null;
  declaredBytes: number;
  box?: BoxRecord;
}

/**
 * Streams `source` into the blob store within the quota and the disk floor, and records it.
 * A blob this call created and nobody records is removed: a failure leaves nothing stored.
 */
export async function storeImage(
  ctx: Ctx,
  p: Principal,
  orgId: string | null,
  intake: ImageIntake,
  source: Readable,
  from: StoreSource,
): Promise<{ image: Image; created: boolean }> {
  const { declaredBytes } = from;
  const quota = ctx.config.orgImageQuotaBytes;
  const usage =
    orgId === null ? null : await checkQuota(ctx.t, ctx.db, quota, orgId, declaredBytes);
  // The image's bytes land on the local disk only with a directory store; an object store's
  // upload still adds a record to the database, so a disk already under the floor refuses it.
  const localDir = ctx.blobs.localDir;
  const floor = new DiskFloor(
    ctx.freeSpace,
    localDir ? [ctx.config.dataDir, localDir] : [ctx.config.dataDir],
    ctx.config.minFreeDiskBytes,
  );
  await floor.check(0, localDir ? declaredBytes : 0);
  const blob = await ctx.blobs.put(source, {
    maxBytes: ctx.config.maxImageBytes,
    guard: async (received) => {
      if (usage && usage.bytes + received > usage.quota_bytes) {
        throw quotaExceeded(usage, received);
      }
      if (localDir) await floor.check(received);
    },
  });
  const meta = intake.metadata ?? {};
  let recorded: { row: Row; created: boolean };
  try {
    recorded = await recordImage(ctx, blob, {
      name: intake.name,
      format: from.format,
      orgId,
      sourceDigest: from.sourceDigest,
      sourceFormat: from.sourceFormat,
      os: meta.os ?? null,
      version: meta.version ?? null,
      arch: meta.arch ?? null,
      cloudInit: meta.cloud_init ?? null,
      defaultUser: meta.default_user ?? null,
      minDisk: meta.min_disk ?? from.diskMiB,
      description: meta.description ?? null,
      boxName: from.box?.name ?? null,
      boxVersion: from.box?.version ?? null,
      boxProvider: from.box?.provider ?? null,
      boxRegistryId: from.box?.registryId ?? null,
    });
  } catch (error) {
    // A blob this upload created and nobody records is not kept.
    if (blob.created && !(await digestRecorded(ctx, blob.digest)))
      await ctx.blobs.delete(blob.digest);
    throw error;
  }
  const { row, created } = recorded;
  if (!created) return { image: (await toViews(ctx, p, [row]))[0] as Image, created: false };
  ctx.log.info(
    {
      digest: blob.digest,
      name: intake.name,
      size: blob.size,
      org_id: orgId,
      source_format: from.sourceFormat,
      deduplicated: !blob.created,
    },
    'image stored',
  );
  return { image: (await toViews(ctx, p, [row]))[0] as Image, created: true };
}

async function digestRecorded(ctx: Ctx, digest: string): Promise<boolean> {
  const { images } = ctx.t;
  return (
    ((await ctx.db.select({ n: count() }).from(images).where(eq(images.digest, digest)))[0]?.n ??
      0) > 0
  );
}

export async function listImages(ctx: Ctx, p: Principal, page: ListImagesQuery) {
  const { images } = ctx.t;
  const scope = principalScope(ctx, p);
  const where = page.format ? and(scope, eq(images.format, page.format)) : scope;
  const rows = await ctx.db
    .select()
    .from(images)
    .where(where)
    .orderBy(images.name, images.createdAt)
    .limit(page.limit)
    .offset(page.offset);
  const total = (await ctx.db.select({ n: count() }).from(images).where(where))[0]?.n ?? 0;
  return { items: await toViews(ctx, p, rows), total, limit: page.limit, offset: page.offset };
}

/** The record of `digest` the caller sees: its organization's own first, else the public one. */
async function findVisible(ctx: Ctx, p: Principal, digest: string): Promise<Row> {
  const { images } = ctx.t;
  const scope = principalScope(ctx, p);
  const rows = await ctx.db
    .select()
    .from(images)
    .where(scope ? and(eq(images.digest, digest), scope) : eq(images.digest, digest));
  const row =
    rows.find((r) => r.orgId !== null && r.orgId === p.orgId) ??
    rows.find((r) => r.orgId === null) ??
    rows[0];
  if (!row) throw new ApiError('not_found', `image ${digest} not found`);
  return row;
}

export async function getImage(ctx: Ctx, p: Principal, digest: string): Promise<Image> {
  return (await toViews(ctx, p, [await findVisible(ctx, p, digest)]))[0] as Image;
}

/**
 * `PUT /v1/images/{digest}/default-recipe`: the recipe VMs made from the image run when their
 * spec names none; checked to exist in the caller's organization (or be built in).
 */
export async function setImageDefaultRecipe(
  ctx: Ctx,
  p: Principal,
  digest: string,
  recipe: string | null,
): Promise<Image> {
  const { images } = ctx.t;
  requireRole(p, 'org_admin', "setting an image's recipe");
  const row = await findVisible(ctx, p, digest);
  if (row.orgId === null) requireRole(p, 'super_admin', "setting a public image's recipe");
  if (recipe !== null) await getRecipe(ctx, row.orgId ?? p.orgId ?? '', recipe);
  await ctx.db.update(images).set({ defaultRecipe: recipe }).where(eq(images.id, row.id));
  return getImage(ctx, p, digest);
}

export async function deleteImage(ctx: Ctx, p: Principal, digest: string) {
  const { images, vms } = ctx.t;
  requireRole(p, 'org_admin', 'deleting an image');
  const row = await findVisible(ctx, p, digest);
  if (row.orgId === null) requireRole(p, 'super_admin', 'deleting a public image');
  const inUse =
    (
      await ctx.db
        .select({ n: count() })
        .from(vms)
        .where(
          and(
            // A disk image its VMs were made from, or an ISO in their CD-ROM.
            or(eq(vms.imageDigest, digest), eq(vms.cdrom, digest)),
            ne(vms.state, 'deleted'),
            row.orgId === null ? undefined : eq(vms.orgId, row.orgId),
          ),
        )
    )[0]?.n ?? 0;
  if (inUse > 0) throw new ApiError('conflict', `image ${digest} is used by ${inUse} VMs`);
  await ctx.db.delete(images).where(eq(images.id, row.id));
  const others =
    (await ctx.db.select({ n: count() }).from(images).where(eq(images.digest, digest)))[0]?.n ?? 0;
  // The blob goes with its last record; agents keep their own copies.
  if (others === 0) await ctx.blobs.delete(digest);
  return { ok: true as const };
}

/*
 * Every create resolves each VM's image: prepared once (db/prepared-statement.ts), by digest or
 * by name, among the public images and the organization's (imageScope), newest first.
 */
const imagesByDigest = statement('images_by_digest_for_org', (db, t) =>
  db
    .select()
    .from(t.images)
    .where(and(eq(t.images.digest, param('ref')), imageScope(t, param('orgId'))))
    .orderBy(desc(t.images.createdAt)),
);

const imagesByName = statement('images_by_name_for_org', (db, t) =>
  db
    .select()
    .from(t.images)
    .where(and(eq(t.images.name, param('ref')), imageScope(t, param('orgId'))))
    .orderBy(desc(t.images.createdAt)),
);

/**
 * The image a VM spec names, as an organization sees it: a digest, or a name (the most recent
 * upload of that name wins, the organization's own before public ones).
 */
export async function resolveImageRef(ctx: Ctx, orgId: string, ref: string): Promise<Row> {
  const byDigest = ref.startsWith('sha256:');
  const rows = await (byDigest ? imagesByDigest : imagesByName).run(ctx, { ref, orgId });
  const row = rows.find((r) => r.orgId === orgId) ?? rows[0];
  if (!row) {
    throw new ApiError(
      'validation',
      `image ${ref} is not known to this controller: upload it first (POST /v1/images?name=${byDigest ? '<name>' : ref})`,
    );
  }
  return row;
}

/** Images a host may pull: public ones and its organization's. */
/**
 * A host pulls its organization's images and the public ones; a host of no organization only
 * the public ones (it runs nobody's VMs, and must not be a way to read every tenant's images).
 */
export async function hostMayPull(
  ctx: Ctx,
  hostOrgId: string | null,
  digest: string,
): Promise<Row | undefined> {
  const { images } = ctx.t;
  return (
    await ctx.db
      .select()
      .from(images)
      .where(and(eq(images.digest, digest), imageScope(ctx.t, hostOrgId)))
  )[0];
}

export async function listImagesForHost(ctx: Ctx, hostOrgId: string | null, page: Pagination) {
  const { images } = ctx.t;
  const where = imageScope(ctx.t, hostOrgId);
  const rows = await ctx.db
    .select()
    .from(images)
    .where(where)
    .orderBy(images.name)
    .limit(page.limit)
    .offset(page.offset);
  const total = (await ctx.db.select({ n: count() }).from(images).where(where))[0]?.n ?? 0;
  return { items: await toViews(ctx, null, rows), total, limit: page.limit, offset: page.offset };
}
