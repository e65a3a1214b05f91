import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '@apiary/protocol';
import { randomBase32 } from '@apiary/server-kit';
import { blobMeter } from './blob-meter.js';
import {
  type BlobStore,
  type ByteRange,
  digestHex,
  putFailure,
  type StoredBlob,
  type StoreLimits,
  UPLOAD_PREFIX,
} from './blob-store.js';

/** File systems that cannot hard-link (some network and FUSE mounts) answer one of these. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

/**
 * Blobs as files `<dir>/<sha256 hex>`; the directory may be shared storage (NFS and the like)
 * that several controllers write. An upload streams into a temporary file in the same
 * directory, is flushed to disk, and is then published under its digest with link(2), which
 * fails when the name exists: of two controllers storing the same content at once, exactly one
 * creates the blob and the other sees it stored. Readers never see a partial blob.
 */
export class DirBlobStore implements BlobStore {
  readonly localDir: string;

  constructor(readonly location: string) {
    this.localDir = location;
  }

  path(digest: string): string {
    return join(this.location, digestHex(digest));
  }

  async put(body: Readable, limits: StoreLimits): Promise<StoredBlob> {
    await mkdir(this.location, { recursive: true, mode: 0o700 });
    const tmp = join(this.location, `${UPLOAD_PREFIX}${randomBase32(12)}`);
    const meter = blobMeter(limits);
    // flush: fsync before close, so the published name never points at bytes still in memory.
    const out = createWriteStream(tmp, { mode: 0o600, flush: true });
    let bodyError: Error | undefined;
    body.once('error', (e) => {
      bodyError = e;
    });
    try {
      await pipeline(body, meter.stream, out);
      const { digest, size } = meter.result();
      return { digest, size, created: await this.publish(tmp, digest) };
    } catch (error) {
      // The file is opened asynchronously: removed before the stream closes, it would reappear.
      if (!out.closed) await once(out, 'close').catch(() => undefined);
      throw putFailure(error, bodyError);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Gives the finished upload its digest name; false when that blob already existed. */
  private async publish(tmp: string, digest: string): Promise<boolean> {
    const final = this.path(digest);
    try {
      await link(tmp, final);
      return true;
    } catch (error) {
      if (code(error) === 'EEXIST') return false;
      if (!NO_LINKS.has(code(error) ?? '')) throw error;
    }
    // No hard links here: rename replaces atomically, and identical content makes the
    // replacement harmless; "created" is then only as exact as the look before it.
    const existed = await this.has(digest);
    await rename(tmp, final);
    return !existed;
  }

  async has(digest: string): Promise<boolean> {
    return (await this.size(digest)) !== null;
  }

  async size(digest: string): Promise<number | null> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (error) {
      if (code(error) === 'ENOENT') return null;
      throw error;
    }
  }

  async open(digest: string, range?: ByteRange): Promise<Readable> {
    // Opened here, so a missing blob fails this call rather than the stream later.
    const handle = await open(this.path(digest), 'r').catch((error: unknown) => {
      if (code(error) === 'ENOENT') throw new ApiError('not_found', `image ${digest} not found`);
      throw error;
    });
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  async sweepStale(olderThanMs: number): Promise<number> {
    await mkdir(this.location, { recursive: true, mode: 0o700 });
    let removed = 0;
    for (const name of await readdir(this.location)) {
      if (!name.startsWith(UPLOAD_PREFIX)) continue;
      const path = join(this.location, name);
      // An upload in progress writes continually, so its modification time stays fresh.
      const modified = await stat(path).then(
        (s) => s.mtimeMs,
        () => null,
      );
      if (modified === null || Date.now() - modified < olderThanMs) continue;
      await rm(path, { force: true });
      removed += 1;
    }
    return removed;
  }

  async close(): Promise<void> {}
}
