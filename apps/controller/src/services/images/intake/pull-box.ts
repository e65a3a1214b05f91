import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, type PullBoxReq } from '@apiary/protocol';
import type { Ctx } from '../../../context.js';
import type { Principal } from '../../auth/principal.js';
import { pickBox } from '../../registries/box-catalog.js';
import { resolveRegistry } from '../../registries/registries.js';
import { REGISTRY_USER_AGENT } from '../../registries/registry-agent.js';
import { fetchCatalog } from '../../registries/registry-client.js';
import { intakeOrg, storePrepared } from '../images.js';
import { verifyChecksum } from './checksum.js';
import type { IntakeRun } from './intake-run.js';
import { downloadToFile } from './outbound-fetch.js';
import { prepareDisk } from './prepare-disk.js';
import { progressLogger } from './progress-log.js';
import { digestFile } from './stage-stream.js';
import { withStaging } from './staging.js';
import { unpackBox } from './unpack-box.js';

/** `ORG/BOX` as an image name: `Bento/Debian-12` -> `bento-debian-12`. */
export function imageNameFromBox(box: string): string {
  return box
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/\.\.+/g, '.')
    .slice(0, 63)
    .replace(/[-._]+$/, '');
}

/**
 * `POST /v1/images/pull-box`: reads the box's catalog from the registry, picks the version (the
 * one asked, or the newest) with a provider Apiary runs, downloads the `.box` (resumed with
 * Range when the connection breaks), checks its checksum, unpacks it safely, and stores its disk
 * as an image named after the box. Everything happens in a staging directory removed at the end:
 * a failure at any step leaves no image and no blob.
 */
export async function pullBox(ctx: Ctx, p: Principal, req: PullBoxReq, run: IntakeRun = {}) {
  const { orgId, intake, registry, catalog, version, provider, boxUrl } = await chooseBox(
    ctx,
    p,
    req,
  );
  // The registry's token goes to the registry only, not to wherever it keeps its files.
  const sameOrigin = boxUrl.origin === new URL(registry.url).origin;
  const log = { box: req.box, version, provider: provider.name, registry_id: registry.id };
  ctx.log.info(log, 'pulling box');
  const logProgress = progressLogger(ctx, log);
  return withStaging(
    ctx,
    async (dir) => {
      const boxPath = join(dir, 'download.box');
      run.progress?.phase('download');
      await downloadToFile(boxUrl.href, boxPath, {
        policy: ctx.targets,
        maxBytes: ctx.config.maxImageBytes,
        timeoutMs: ctx.config.imageFetchTimeoutMs,
        signal: run.signal,
        headers: {
          'user-agent': REGISTRY_USER_AGENT,
          ...(sameOrigin && registry.token ? { authorization: `Bearer ${registry.token}` } : {}),
        },
        onProgress: (progress) => {
          logProgress(progress);
          run.progress?.download(progress);
        },
      });
      run.progress?.phase('verify');
      const { sha256: boxDigest } = await verifyChecksum(
        boxPath,
        provider.checksum_type,
        provider.checksum,
      );
      run.progress?.phase('unpack');
      const unpacked = await unpackBox(boxPath, dir, ctx.config.maxImageBytes);
      if (unpacked.metadata.provider && unpacked.metadata.provider !== provider.name) {
        throw new ApiError(
          'validation',
          `the box's metadata.json is for provider ${unpacked.metadata.provider}, the registry lists it as ${provider.name}`,
        );
      }
      // The archive's bytes are no longer needed: the disk is what is stored.
      await rm(boxPath, { force: true });
      const { disk: box } = unpacked;
      const digest = await digestFile(createReadStream(box.path));
      if (box.format === 'qcow2') run.progress?.phase('convert');
      const disk = await prepareDisk(ctx, dir, { ...box, digest });
      run.progress?.phase('store');
      return storePrepared(
        ctx,
        p,
        orgId,
        {
          ...intake,
          metadata: {
            arch: provider.architecture ?? unpacked.metadata.architecture ?? null,
            description:
              (catalog.description ?? catalog.short_description ?? '').slice(0, 1000) || null,
          },
        },
        { ...disk, sourceDigest: boxDigest, sourceFormat: 'box' },
        { name: req.box, version, provider: provider.name, registryId: registry.id },
      );
    },
    run.stagingName,
  );
}

/**
 * Everything a pull decides before downloading: the caller may store the image, the registry
 * is known, its catalog read and a runnable version picked. A pull's route runs it before
 * answering 202, so these refusals are the request's answer, not a failed operation.
 */
export async function chooseBox(ctx: Ctx, p: Principal, req: PullBoxReq) {
  const intake = { name: req.name ?? imageNameFromBox(req.box), public: req.public };
  const orgId = await intakeOrg(ctx, p, intake);
  const registry = await resolveRegistry(ctx, p, req.registry);
  const catalog = await fetchCatalog(ctx, registry, req.box);
  const { version, provider } = pickBox(catalog, req.box, req.version);
  let boxUrl: URL;
  try {
    // A catalog may give the box's URL relative to the registry.
    boxUrl = new URL(provider.url, `${registry.url}/`);
  } catch {
    throw new ApiError('upstream_failed', `the registry gives ${req.box} a URL that is not one`, {
      forClient: true,
    });
  }
  if (boxUrl.protocol !== 'http:' && boxUrl.protocol !== 'https:') {
    throw new ApiError(
      'upstream_failed',
      `the registry gives ${req.box} a ${boxUrl.protocol} URL`,
      {
        forClient: true,
      },
    );
  }
  return { orgId, intake, registry, catalog, version, provider, boxUrl };
}
