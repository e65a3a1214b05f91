import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { type FetchImageReq, imageFormatFromFile } from '@apiary/protocol';
import type { Ctx } from '../../../context.js';
import type { Principal } from '../../auth/principal.js';
import { intakeOrg, storePrepared } from '../images.js';
import type { IntakeRun } from './intake-run.js';
import { downloadToFile } from './outbound-fetch.js';
import { prepareDisk } from './prepare-disk.js';
import { progressLogger } from './progress-log.js';
import { digestFile } from './stage-stream.js';
import { withStaging } from './staging.js';

/**
 * `POST /v1/images/fetch`: downloads a cloud image (raw or qcow2; a qcow2 is converted) into
 * staging, within `--max-image-bytes` and `--image-fetch-timeout-ms`, from an address the
 * target policy allows, and stores it like an upload.
 */
export async function fetchImage(ctx: Ctx, p: Principal, req: FetchImageReq, run: IntakeRun = {}) {
  const intake = { name: req.name, public: req.public, metadata: req.metadata };
  const orgId = await intakeOrg(ctx, p, intake);
  const format = req.format ?? imageFormatFromFile(new URL(req.url).pathname);
  const log = progressLogger(ctx, { name: req.name, url_host: new URL(req.url).host });
  return withStaging(
    ctx,
    async (dir) => {
      const path = join(dir, 'download');
      run.progress?.phase('download');
      const { bytes } = await downloadToFile(req.url, path, {
        policy: ctx.targets,
        maxBytes: ctx.config.maxImageBytes,
        timeoutMs: ctx.config.imageFetchTimeoutMs,
        signal: run.signal,
        onProgress: (progress) => {
          log(progress);
          run.progress?.download(progress);
        },
      });
      const digest = await digestFile(createReadStream(path));
      if (format === 'qcow2') run.progress?.phase('convert');
      const disk = await prepareDisk(ctx, dir, { path, format, digest, size: bytes });
      run.progress?.phase('store');
      return storePrepared(ctx, p, orgId, intake, disk);
    },
    run.stagingName,
  );
}
