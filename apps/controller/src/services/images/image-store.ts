import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '@apiary/protocol';
import { randomBase32 } from '@apiary/server-kit';

/**
 * Image blobs on disk, content-addressed: `<dir>/<sha256 hex>`. An upload streams into a
 * temporary file while its sha256 and size are computed; it then becomes the blob, or is
 * dropped when the blob already exists (deduplication).
 */
export interface StoredBlob {
  digest: `sha256:${string}`;
  size: number;
  /** False when identical content was already stored. */
  created: boolean;
}

export function blobPath(dir: string, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  if (!/^[a-f0-9]{64}$/.test(hex)) throw new ApiError('validation', 'bad digest');
  return join(dir, hex);
}

export function blobExists(dir: string, digest: string): boolean {
  return existsSync(blobPath(dir, digest));
}

export function blobSize(dir: string, digest: string): number {
  return statSync(blobPath(dir, digest)).size;
}

export interface StoreLimits {
  maxBytes: number;
  /**
   * Called before each chunk is written with the bytes received so far (this chunk included);
   * throws to stop the upload (a quota, a disk floor). The partial file is then removed.
   */
  guard?: (received: number) => Promise<void>;
}

export async function storeBlob(
  dir: string,
  body: ReadableStream<Uint8Array>,
  limits: StoreLimits,
): Promise<StoredBlob> {
  const { maxBytes, guard } = limits;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.upload-${randomBase32(12)}`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    async transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(new ApiError('payload_too_large', `image larger than ${maxBytes} bytes`));
        return;
      }
      const pass = () => {
        hash.update(chunk);
        done(null, chunk);
      };
      if (!guard) return pass();
      await guard(size).then(pass, done);
    },
  });
  const out = createWriteStream(tmp, { mode: 0o600 });
  try {
    await pipeline(
      Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>),
      meter,
      out,
    );
  } catch (error) {
    // The file is opened asynchronously: removed before the stream closes, it would reappear.
    if (!out.closed) await once(out, 'close').catch(() => undefined);
    rmSync(tmp, { force: true });
    if (error instanceof ApiError) throw error;
    throw new ApiError('validation', `upload interrupted: ${(error as Error).message}`);
  }
  if (size === 0) {
    rmSync(tmp, { force: true });
    throw new ApiError('validation', 'empty image');
  }
  const digest = `sha256:${hash.digest('hex')}` as const;
  const final = blobPath(dir, digest);
  if (existsSync(final)) {
    rmSync(tmp, { force: true });
    return { digest, size, created: false };
  }
  renameSync(tmp, final);
  return { digest, size, created: true };
}

export function removeBlob(dir: string, digest: string) {
  rmSync(blobPath(dir, digest), { force: true });
}

/** Leftovers of uploads a crash interrupted. */
export function removeStaleUploads(dir: string, names: string[]) {
  for (const name of names)
    if (name.startsWith('.upload-')) rmSync(join(dir, name), { force: true });
}
