import { statSync } from 'node:fs';
import { join } from 'node:path';
import { digestHex } from './blob-store.js';

/*
 * Direct file access to a directory blob store, kept only for `envs/push-image.ts` until it
 * reads through `ctx.blobs` (BlobStore) like everything else. Do not add callers.
 */

export function blobPath(dir: string, digest: string): string {
  return join(dir, digestHex(digest));
}

export function blobSize(dir: string, digest: string): number {
  return statSync(blobPath(dir, digest)).size;
}
