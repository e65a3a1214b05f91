import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '@apiary/protocol';

/*
 * Images are written to a staging file while their sha256 is computed, and imported into ZFS
 * only once the digest is known to match: unverified bytes never reach the host's datasets.
 */

export interface StagedFile {
  path: string;
  hex: string;
  size: number;
}

/** A transform that hashes and counts bytes and refuses more than `maxBytes`. */
function meter(hash: ReturnType<typeof createHash>, maxBytes: number, start: number) {
  let size = start;
  const transform = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(new ApiError('payload_too_large', `image larger than ${maxBytes} bytes`));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { transform, size: () => size };
}

export async function stageStream(
  source: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
  dir: string,
  maxBytes: number,
): Promise<StagedFile> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `upload-${randomBytes(8).toString('hex')}.part`);
  const hash = createHash('sha256');
  const m = meter(hash, maxBytes, 0);
  const out = createWriteStream(path, { mode: 0o600 });
  try {
    await pipeline(source, m.transform, out);
  } catch (error) {
    await closed(out);
    await rm(path, { force: true });
    throw error;
  }
  return { path, hex: hash.digest('hex'), size: m.size() };
}

/**
 * Append `source` to a partial download at `path` (resumed with Range), hashing what is
 * already there first so the final digest covers the whole file.
 */
export async function appendStream(
  source: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
  path: string,
  maxBytes: number,
): Promise<StagedFile> {
  const hash = createHash('sha256');
  const existing = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (existing > 0) {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  }
  const m = meter(hash, maxBytes, existing);
  const out = createWriteStream(path, { flags: 'a', mode: 0o600 });
  try {
    await pipeline(source, m.transform, out);
  } catch (error) {
    await closed(out);
    throw error;
  }
  return { path, hex: hash.digest('hex'), size: m.size() };
}

/**
 * A write stream opens its file asynchronously: one that failed early may still be opening, and
 * a file removed before it closes would reappear. Callers that remove it wait for this first.
 */
async function closed(out: WriteStream): Promise<void> {
  if (!out.closed) await once(out, 'close').catch(() => undefined);
}

export async function partialSize(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}
