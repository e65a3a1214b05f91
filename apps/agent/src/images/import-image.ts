import { randomBytes } from 'node:crypto';
import { ApiError, type ImageFormat } from '@apiary/protocol';
import type { HostExec } from '../host/exec.js';
import {
  createVolume,
  destroyDataset,
  getDataset,
  receiveFromFile,
  renameDataset,
  snapshot,
} from '../host/zfs.js';
import { roundUp } from '../host/zfs-format.js';
import type { Layout } from '../layout.js';
import type { StagedFile } from './staging.js';

export interface ImportedImage {
  location: string;
  diskBytes: number;
}

/**
 * Import a verified staged file as `<pool>/apiary/images/<hex>` with a `@base` snapshot that VM
 * disks are cloned from. The data lands in an `incoming-*` dataset first and is renamed into
 * place only when complete, so a crash never leaves a half-imported image under a digest name
 * (the reconciler destroys stale `incoming-*` datasets).
 */
export async function importImage(
  exec: HostExec,
  layout: Layout,
  staged: StagedFile,
  format: ImageFormat,
): Promise<ImportedImage> {
  const target = layout.imageDataset(staged.hex);
  const existing = await getDataset(exec, target);
  if (existing && (await getDataset(exec, layout.imageSnapshot(staged.hex)))) {
    return { location: target, diskBytes: existing.volsize ?? 0 };
  }
  const incoming = layout.incomingImageDataset(randomBytes(6).toString('hex'));
  try {
    if (!existing) {
      if (format === 'zfs-send') await receiveFromFile(exec, incoming, staged.path);
      else await writeRawVolume(exec, incoming, staged);
      const received = await getDataset(exec, incoming);
      if (received?.type !== 'volume') {
        throw new ApiError('validation', 'the image stream does not contain a ZFS volume');
      }
      await renameDataset(exec, incoming, target);
    }
    await snapshot(exec, layout.imageSnapshot(staged.hex));
    const row = await getDataset(exec, target);
    return { location: target, diskBytes: row?.volsize ?? 0 };
  } catch (error) {
    await destroyDataset(exec, incoming, true).catch(() => undefined);
    throw error;
  }
}

/** A raw disk image: a volume of the image's size with the bytes written to its device. */
async function writeRawVolume(exec: HostExec, dataset: string, staged: StagedFile) {
  const size = roundUp(Math.max(staged.size, 1), 1024 * 1024);
  await createVolume(exec, dataset, size, true);
  await exec.run('dd', [`if=${staged.path}`, `of=/dev/zvol/rdsk/${dataset}`, 'bs=1048576'], {
    timeoutMs: 3_600_000,
  });
}

/** Destroy an image's datasets; refused by ZFS while a clone depends on it. */
export async function removeImage(exec: HostExec, layout: Layout, hex: string): Promise<void> {
  await destroyDataset(exec, layout.imageDataset(hex), true);
}
