import type { UploadFormat } from '../schemas/image-metadata.js';

/*
 * What an image upload can learn from the file's name, when the person does not say: the CLI's
 * `images import FILE` and the dashboard's upload dialog guess the same way.
 */

/**
 * A valid image name from a file name: `Alpine-3.20.zfs` -> `alpine-3.20`, `My Image (v2).raw`
 * -> `my-image-v2`. Empty when nothing usable is left (the caller asks for a name then).
 */
export function imageNameFromFile(fileName: string): string {
  const base = fileName.replace(/\.(zfs|raw|img|iso|qcow2|gz|xz|zst)$/gi, '');
  return base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/\.\.+/g, '.')
    .slice(0, 63)
    .replace(/[-._]+$/, '');
}

/**
 * `disk.raw` and `disk.img` are raw disks, `cloud.qcow2` a qcow2 (converted to raw by the
 * controller), `install.iso` a CD-ROM image; anything else is taken for a `zfs send` stream.
 */
export function imageFormatFromFile(fileName: string): UploadFormat {
  if (/\.iso$/i.test(fileName)) return 'iso';
  if (/\.qcow2$/i.test(fileName)) return 'qcow2';
  return /\.(raw|img)$/i.test(fileName) ? 'raw' : 'zfs-send';
}
