import type { Readable } from 'node:stream';
import { ApiError } from '@apiary/protocol';
import { belowFloor } from './disk-floor.js';

/**
 * Where image blobs live: content-addressed by sha256, written once, read by many. Two
 * implementations: a directory (local or shared storage, `dir-blob-store.ts`) and an
 * S3-compatible object store (`s3-blob-store.ts`). Several controllers may use one store at
 * once, so every write is safe against another controller storing the same content.
 */
export interface BlobStore {
  /** Where the blobs are, for logs and errors: a directory or `s3://bucket/prefix`. */
  readonly location: string;
  /** The local directory the blobs fill (the disk floor watches it); null for object stores. */
  readonly localDir: string | null;
  /**
   * Streams `body` into the store while its sha256 and size are computed, then keeps it under
   * its digest (or drops it when identical content is already there). Nothing is left behind
   * when it fails.
   */
  put(body: Readable, limits: StoreLimits): Promise<StoredBlob>;
  has(digest: string): Promise<boolean>;
  /** The blob's size in bytes, or null when it is not stored. */
  size(digest: string): Promise<number | null>;
  /** The blob's bytes, or the inclusive range `start`..`end` of them. */
  open(digest: string, range?: ByteRange): Promise<Readable>;
  /** Removes the blob; removing one that is absent is not an error. */
  delete(digest: string): Promise<void>;
  /**
   * Removes what uploads interrupted by a crash left behind, when older than `olderThanMs`:
   * a younger one may be another controller's upload in progress on shared storage.
   */
  sweepStale(olderThanMs: number): Promise<number>;
  /** Lets go of connections (the controller is stopping). */
  close(): Promise<void>;
}

export interface StoredBlob {
  digest: `sha256:${string}`;
  size: number;
  /** False when identical content was already stored. */
  created: boolean;
}

export interface StoreLimits {
  maxBytes: number;
  /**
   * Called before each chunk is stored with the bytes received so far (this chunk included);
   * throws to stop the upload (a quota, a disk floor). What was stored of it is then removed.
   */
  guard?: (received: number) => Promise<void>;
}

/** Inclusive byte offsets, as in an HTTP `Range` header. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The 64 hex digits of a `sha256:` digest: the blob's name in every store. */
export function digestHex(digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  if (!/^[a-f0-9]{64}$/.test(hex)) throw new ApiError('validation', 'bad digest');
  return hex;
}

/** Prefix of the names uploads in progress use beside the blobs. */
export const UPLOAD_PREFIX = '.upload-';

/** How old a leftover upload must be before a controller start removes it. */
export const STALE_UPLOAD_MS = 24 * 3600_000;

/**
 * What a failed `put` reports: a refusal by the limits as it is; a body that broke (the client
 * went away) as a bad request; anything else as the store's own failure, a 503 whose detail goes
 * to the log, not to the client (a full disk: 507, as the disk floor says it).
 */
export function putFailure(error: unknown, bodyError: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (bodyError !== undefined && bodyError !== null) {
    return new ApiError('validation', `upload interrupted: ${(bodyError as Error).message}`);
  }
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return belowFloor();
  return new ApiError('unavailable', `the blob store failed: ${(error as Error).message}`, {
    retryable: true,
    cause: error,
  });
}
