import { join } from 'node:path';
import {
  type AgentImageFormat,
  ApiError,
  type ImageSourceFormat,
  type UploadFormat,
} from '@apiary/protocol';
import type { Ctx } from '../../../context.js';
import { convertToRaw, qemuImgInfo } from './qemu-img.js';

const MiB = 1024 * 1024;

/** A staged file as it arrived. */
export interface StagedSource {
  path: string;
  format: UploadFormat;
  digest: `sha256:${string}`;
  size: number;
}

/** What is stored: the file agents receive, and what is known of where it came from. */
export interface PreparedDisk {
  path: string;
  format: AgentImageFormat;
  /** Set when the stored bytes differ from what arrived. */
  sourceDigest: `sha256:${string}` | null;
  sourceFormat: ImageSourceFormat;
  /** The disk's size in MiB, when the bytes say it (raw, qcow2): the image's `min_disk`. */
  diskMiB: number | null;
}

/**
 * Turns what arrived into what agents take: a qcow2 is checked (no backing file, no external
 * data file, virtual size within `--image-max-virtual-bytes`) and converted to raw beside it.
 */
export async function prepareDisk(
  ctx: Ctx,
  dir: string,
  staged: StagedSource,
): Promise<PreparedDisk> {
  if (staged.format !== 'qcow2') {
    return {
      path: staged.path,
      format: staged.format,
      sourceDigest: null,
      sourceFormat: staged.format,
      diskMiB: staged.format === 'raw' ? Math.ceil(staged.size / MiB) : null,
    };
  }
  const info = await qemuImgInfo(staged.path, 'qcow2');
  if (info['backing-filename'] || info['full-backing-filename']) {
    // A backing file names a path on the controller: converting would read it into the image.
    throw new ApiError(
      'validation',
      `the qcow2 image has a backing file (${info['backing-filename'] ?? info['full-backing-filename']}): flatten it first (qemu-img convert -O qcow2)`,
    );
  }
  if (info['data-file']) {
    throw new ApiError('validation', 'the qcow2 image keeps its data in an external file');
  }
  const limit = ctx.config.imageMaxVirtualBytes;
  if (info['virtual-size'] > limit) {
    throw new ApiError(
      'payload_too_large',
      `the qcow2 image describes a ${info['virtual-size']}-byte disk, over the ${limit} bytes allowed (--image-max-virtual-bytes)`,
    );
  }
  const raw = join(dir, 'converted.raw');
  await convertToRaw(staged.path, raw);
  return {
    path: raw,
    format: 'raw',
    sourceDigest: staged.digest,
    sourceFormat: 'qcow2',
    diskMiB: Math.ceil(info['virtual-size'] / MiB),
  };
}
