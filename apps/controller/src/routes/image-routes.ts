import { Readable } from 'node:stream';
import { ApiError, controllerRoutes as r } from '@apiary/protocol';
import type { Context } from 'hono';
import type { Ctx } from '../context.js';
import type { AppEnv } from '../http/app-env.js';
import { getHostRow } from '../services/hosts/host-view.js';
import type { BlobStore } from '../services/images/blob-store.js';
import { getOrgUsage, setOrgImageQuota } from '../services/images/image-quota.js';
import {
  deleteImage,
  getImage,
  hostMayPull,
  listImages,
  listImagesForHost,
  uploadImage,
} from '../services/images/images.js';
import { startFetchImage, startPullBox } from '../services/images/operations/start-intake.js';
import type { RouteDeps } from './route-deps.js';

/** The organization of the host pulling images (null: a host assigned to none). */
async function hostOrg(ctx: Ctx, hostId: string): Promise<string | null> {
  return (await getHostRow(ctx, hostId))?.orgId ?? null;
}

export function registerImageRoutes({ ctx, router, bind }: RouteDeps) {
  bind(
    router,
    r.listImages,
    async ({ principal, query }) => await listImages(ctx, principal, query),
  );
  bind(router, r.uploadImage, async ({ c, principal, query, body }) => {
    const declared = Number(c.req.header('content-length'));
    const length = Number.isSafeInteger(declared) && declared > 0 ? declared : 0;
    const { image, created } = await uploadImage(ctx, principal, query, body, length);
    return { status: created ? 201 : 200, body: image };
  });
  bind(router, r.fetchImage, ({ principal, body }) => startFetchImage(ctx, principal, body));
  bind(router, r.pullBox, ({ principal, body }) => startPullBox(ctx, principal, body));
  bind(router, r.getImage, ({ principal, params }) => getImage(ctx, principal, params.digest));
  bind(router, r.deleteImage, ({ principal, params }) =>
    deleteImage(ctx, principal, params.digest),
  );

  bind(router, r.getOrgUsage, ({ principal, params }) => getOrgUsage(ctx, principal, params.id));
  bind(router, r.setOrgImageQuota, ({ principal, params, body }) =>
    setOrgImageQuota(ctx, principal, params.id, body.quota_bytes),
  );

  bind(
    router,
    r.internalListImages,
    async ({ principal, query }) =>
      await listImagesForHost(ctx, await hostOrg(ctx, principal.hostId), query),
  );
  // GET also answers HEAD (Hono routes HEAD to GET handlers and drops the body).
  bind(router, r.internalDownloadImage, async ({ c, principal, params }) => {
    const size = (await hostMayPull(ctx, await hostOrg(ctx, principal.hostId), params.digest))
      ? await ctx.blobs.size(params.digest)
      : null;
    if (size === null) throw new ApiError('not_found', `image ${params.digest} not found`);
    return serveBlob(c, ctx.blobs, size, params.digest);
  });
}

/**
 * Serves a blob with `Range` support so an interrupted download resumes where it stopped. The
 * bytes stream from the store (file or object) to the agent without being held here.
 */
async function serveBlob(
  c: Context<AppEnv>,
  blobs: BlobStore,
  size: number,
  digest: string,
): Promise<Response> {
  const headers = new Headers({
    'accept-ranges': 'bytes',
    'content-type': 'application/octet-stream',
    etag: `"${digest}"`,
    'x-request-id': c.get('requestId'),
  });
  const range = c.req.header('range');
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (range) {
    const m = range.match(/^bytes=(\d*)-(\d*)$/);
    const ifRange = c.req.header('if-range');
    if (m && (!ifRange || ifRange === `"${digest}"`)) {
      if (m[1] === '' && m[2] !== '') {
        start = Math.max(0, size - Number(m[2]));
      } else {
        start = Number(m[1]);
        if (m[2] !== '') end = Math.min(size - 1, Number(m[2]));
      }
      if (start >= size || start > end) {
        headers.set('content-range', `bytes */${size}`);
        return new Response(null, { status: 416, headers });
      }
      status = 206;
      headers.set('content-range', `bytes ${start}-${end}/${size}`);
    }
  }
  headers.set('content-length', String(end - start + 1));
  if (c.req.method === 'HEAD') return new Response(null, { status, headers });
  const stream = Readable.toWeb(await blobs.open(digest, { start, end })) as ReadableStream;
  return new Response(stream, { status, headers });
}
