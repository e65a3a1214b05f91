import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ApiError, type UploadFormat } from '@apiary/protocol';
import tar from 'tar-stream';
import { z } from 'zod';

/*
 * A Vagrant `.box` is a tar archive, gzip-compressed or not, holding `metadata.json` and the
 * provider's files (docs/images.md). Apiary takes one disk from it: a ZFS stream, a raw disk or a
 * qcow2. Nothing in the archive decides where a file is written: the one disk goes to a name
 * the controller chose, `metadata.json` is read in memory, everything else is read and dropped.
 * Names with `..` or a leading `/`, links pointing out of the archive, devices and FIFOs are
 * refused, and so are archives over the size or entry limits.
 */

/** `metadata.json` at the root of a box: the provider it is for (Vagrant refuses a mismatch). */
export const BoxMetadataJson = z.looseObject({
  provider: z.string().optional(),
  format: z.string().optional(),
  architecture: z.string().optional(),
});
export type BoxMetadataJson = z.infer<typeof BoxMetadataJson>;

export interface UnpackedBox {
  metadata: BoxMetadataJson;
  disk: { path: string; format: UploadFormat; size: number };
}

const METADATA_MAX_BYTES = 64 * 1024;
const MAX_ENTRIES = 10_000;

/** Disk files a box may hold, by name. */
function diskFormat(name: string): UploadFormat | null {
  if (/\.(zss|zfs)$/i.test(name)) return 'zfs-send';
  if (/\.(raw|img)$/i.test(name)) return 'raw';
  if (/\.qcow2$/i.test(name)) return 'qcow2';
  return null;
}

function refused(what: string): ApiError {
  return new ApiError('validation', `the box archive is refused: ${what}`);
}

/** The entry's name without `./`, or a refusal when it could reach outside the archive. */
function safeName(name: string): string {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw refused(`${name} is an absolute path`);
  if (name.split(/[\\/]/).includes('..')) throw refused(`${name} has a .. component`);
  return posix.normalize(name).replace(/^\.\//, '').replace(/\/$/, '');
}

/** A link's target must stay inside the archive, seen from the link's own directory. */
function checkLink(name: string, target: string | null | undefined): void {
  if (!target) throw refused(`link ${name} has no target`);
  if (target.startsWith('/')) throw refused(`link ${name} points at ${target}, outside the box`);
  const resolved = posix.normalize(posix.join(posix.dirname(name), target));
  if (resolved === '..' || resolved.startsWith('../'))
    throw refused(`link ${name} points at ${target}, outside the box`);
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function drain(stream: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

async function readSmall(stream: Readable, max: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += (chunk as Buffer).length;
    if (n > max) throw refused(`${name} is larger than ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Unpacks the box at `boxPath`, writing its disk into `dir`; at most `maxBytes` unpacked. */
export async function unpackBox(
  boxPath: string,
  dir: string,
  maxBytes: number,
): Promise<UnpackedBox> {
  const extract = tar.extract();
  const source = createReadStream(boxPath);
  const feeding = (await isGzip(boxPath))
    ? pipeline(source, createGunzip(), extract)
    : pipeline(source, extract);
  // Read below; a failure there ends the feeding, whose own error is then not the news.
  feeding.catch(() => {});
  let metadata: BoxMetadataJson | undefined;
  let disk: UnpackedBox['disk'] | undefined;
  let total = 0;
  let entries = 0;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      if (++entries > MAX_ENTRIES) throw refused(`more than ${MAX_ENTRIES} entries`);
      const name = safeName(header.name);
      total += header.size ?? 0;
      if (total > maxBytes) throw refused(`it unpacks to more than ${maxBytes} bytes`);
      if (header.type === 'symlink' || header.type === 'link') {
        checkLink(name, header.linkname);
        await drain(entry);
        continue;
      }
      if (header.type === 'directory') {
        await drain(entry);
        continue;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        throw refused(`${name} is a ${header.type}`);
      }
      if (name === 'metadata.json') {
        const raw = await readSmall(entry, METADATA_MAX_BYTES, name);
        const parsed = BoxMetadataJson.safeParse(safeJson(raw));
        if (!parsed.success) throw refused('metadata.json is not a JSON object');
        metadata = parsed.data;
        continue;
      }
      const format = name.includes('/') ? null : diskFormat(name);
      if (!format) {
        await drain(entry);
        continue;
      }
      if (disk) throw refused(`it holds two disks (${posix.basename(disk.path)} and ${name})`);
      const path = join(dir, `box-disk.${format}`);
      await pipeline(entry, createWriteStream(path, { mode: 0o600 }));
      disk = { path, format, size: header.size ?? 0 };
    }
    await feeding;
  } catch (error) {
    extract.destroy();
    if (error instanceof ApiError) throw error;
    throw refused(`it is not a readable tar archive (${(error as Error).message})`);
  }
  if (!metadata) throw refused('it has no metadata.json');
  if (!disk) throw refused('it holds no disk (.zss or .zfs stream, .raw or .img disk, .qcow2)');
  return { metadata, disk };
}

function safeJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
