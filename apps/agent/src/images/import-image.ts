import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  ApiError,
  type AgentImageFormat as ImageFormat,
  type StorageBackend,
} from '@apiary/protocol';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import {
  createFilesystem,
  createVolume,
  destroyDataset,
  getDataset,
  renameDataset,
  snapshot,
} from '../host/zfs.js';
import { roundUp } from '../host/zfs-format.js';
import { receiveVolume } from './receive-volume.js';
import type { StagedFile } from './staging.js';

export interface ImportedImage {
  location: string;
  diskBytes: number;
}

/**
 * Import a verified staged file as `<pool>/apiary/images/<hex>` with a `@base` snapshot:
 * - zvol backend: a volume (`zfs receive` of a zfs-send stream, or a raw image written to a
 *   new volume's device), thin-cloned for each VM;
 * - file backend: a filesystem holding `disk.img` (raw images only), copied for each VM.
 * The data lands in an `incoming-*` dataset first and is renamed into place only when complete
 * and checked, so a crash never leaves a half-imported image under a digest name (the reconciler
 * destroys stale `incoming-*` datasets). A stream is received as `receive-volume.ts` says:
 * unmounted, a file system refused before it could ever be mounted.
 */
export async function importImage(
  exec: HostExec,
  layout: Layout,
  staged: StagedFile,
  format: ImageFormat,
  storage: StorageBackend,
): Promise<ImportedImage> {
  if (storage === 'file' && format === 'zfs-send') {
    throw new ApiError('validation', 'this host stores disks as files: it takes raw images only');
  }
  const target = layout.imageDataset(staged.hex);
  // An ISO is a file on either backend: bhyve opens it as a CD-ROM, nothing clones it.
  const expected = storage === 'file' || format === 'iso' ? 'filesystem' : 'volume';
  const existing = await getDataset(exec, target);
  if (existing && (await getDataset(exec, layout.imageSnapshot(staged.hex)))) {
    return { location: target, diskBytes: existing.volsize ?? staged.size };
  }
  const token = randomBytes(6).toString('hex');
  const incoming = layout.incomingImageDataset(token);
  try {
    if (!existing) {
      if (format === 'iso')
        await writeImageFile(exec, layout, incoming, `incoming-${token}`, staged, 'image.iso');
      else if (storage === 'file')
        await writeImageFile(exec, layout, incoming, `incoming-${token}`, staged);
      else if (format === 'zfs-send') await receiveVolume(exec, incoming, staged.path);
      else await writeRawVolume(exec, layout, incoming, staged);
      const received = await getDataset(exec, incoming);
      if (received?.type !== expected) {
        throw new ApiError('validation', `the image does not contain a ZFS ${expected}`);
      }
      await renameDataset(exec, incoming, target);
    }
    await snapshot(exec, layout.imageSnapshot(staged.hex));
    const row = await getDataset(exec, target);
    return { location: target, diskBytes: row?.volsize ?? staged.size };
  } catch (error) {
    await destroyDataset(exec, incoming, true).catch(() => undefined);
    throw error;
  }
}

/**
 * A raw disk image on the zvol backend: a volume of the image's size, the bytes written to its
 * block device (`/dev/zvol/dsk/...`, which takes writes of any alignment, unlike rdsk).
 */
async function writeRawVolume(exec: HostExec, layout: Layout, dataset: string, staged: StagedFile) {
  const size = roundUp(Math.max(staged.size, 1), 1024 * 1024);
  await createVolume(exec, dataset, size, true);
  await copyFile(staged.path, layout.real(`/dev/zvol/dsk/${dataset}`));
}

/** file backend: a filesystem dataset (mounted under the images mountpoint) with disk.img. */
async function writeImageFile(
  exec: HostExec,
  layout: Layout,
  dataset: string,
  dirName: string,
  staged: StagedFile,
  fileName = 'disk.img',
) {
  await createFilesystem(exec, dataset);
  const file = layout.real(`${layout.imagesMount}/${dirName}/${fileName}`);
  await mkdir(dirname(file), { recursive: true });
  await copyFile(staged.path, `${file}.part`);
  await rename(`${file}.part`, file);
}

/** Destroy an image's datasets; refused by ZFS while a clone depends on it. */
export async function removeImage(exec: HostExec, layout: Layout, hex: string): Promise<void> {
  await destroyDataset(exec, layout.imageDataset(hex), true);
  await rm(layout.real(`${layout.imagesMount}/${hex}`), { recursive: true, force: true });
}
