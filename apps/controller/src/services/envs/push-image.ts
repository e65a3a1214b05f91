import { Readable } from 'node:stream';
import { type AgentClient, ApiError } from '@apiary/protocol';
import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { getHostRow } from '../hosts/host-view.js';
import type { VmRow } from './env-view.js';
import { asVmOpError, VmOpError } from './vm-op-error.js';

/** Pushes the image to a host added by address (it has no controller link to pull from). */
export async function pushImageIfNeeded(ctx: Ctx, client: AgentClient, vm: VmRow) {
  if (!vm.imageDigest) return;
  await pushDigestIfNeeded(ctx, client, vm.hostId ?? '', vm.imageDigest);
}

/** Pushes image `digest` to host `hostId` if it was added by address and lacks it. */
export async function pushDigestIfNeeded(
  ctx: Ctx,
  client: AgentClient,
  hostId: string,
  digest: string,
) {
  const { hostImages, images } = ctx.t;
  const vm = { imageDigest: digest };
  const host = await getHostRow(ctx, hostId);
  if (host?.source !== 'added') return;
  const held = (
    await ctx.db
      .select()
      .from(hostImages)
      .where(and(eq(hostImages.hostId, host.id), eq(hostImages.digest, vm.imageDigest)))
  )[0];
  if (held) return;
  const image = (await ctx.db.select().from(images).where(eq(images.digest, vm.imageDigest)))[0];
  const size = image ? await ctx.blobs.size(image.digest) : null;
  if (!image || size === null) {
    throw new VmOpError('image_missing', `image ${vm.imageDigest} is no longer stored`);
  }
  try {
    await client.uploadImage({
      query: { name: image.name, format: image.format, digest: image.digest as `sha256:${string}` },
      body: Readable.toWeb(await ctx.blobs.open(image.digest)) as ReadableStream,
      contentLength: size,
    });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'conflict'))
      throw asVmOpError(error, 'image upload');
  }
}
