import { resolve } from 'node:path';
import { z } from 'zod';

/** `--blob-store`: a directory, or `s3://bucket[/prefix]` for an S3-compatible object store. */
export type BlobStoreTarget =
  | { kind: 'dir'; dir: string }
  | { kind: 's3'; bucket: string; prefix: string };

// S3's bucket naming rules: 3-63 lowercase letters, digits, dots and hyphens, alphanumeric ends.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Key prefixes are kept to characters every S3-compatible store treats the same in URLs.
const PREFIX = /^[A-Za-z0-9!_.*'()/-]*$/;

export const BlobStoreSetting = z.string().transform((value, ctx): BlobStoreTarget => {
  if (!value.startsWith('s3://')) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'a directory or s3://bucket/prefix' });
      return z.NEVER;
    }
    if (value.trim() === '') {
      ctx.addIssue({ code: 'custom', message: 'is empty' });
      return z.NEVER;
    }
    return { kind: 'dir', dir: resolve(value) };
  }
  const rest = value.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const rawPrefix = slash === -1 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    ctx.addIssue({ code: 'custom', message: `bad S3 bucket name ${JSON.stringify(bucket)}` });
    return z.NEVER;
  }
  if (!PREFIX.test(rawPrefix) || rawPrefix.split('/').some((p) => p === '.' || p === '..')) {
    ctx.addIssue({ code: 'custom', message: `bad S3 key prefix ${JSON.stringify(rawPrefix)}` });
    return z.NEVER;
  }
  // `a/b`, `a/b/` and `/a//b` all mean the keys `a/b/<hex>`.
  const parts = rawPrefix.split('/').filter(Boolean);
  return { kind: 's3', bucket, prefix: parts.length ? `${parts.join('/')}/` : '' };
});

export function describeTarget(target: BlobStoreTarget): string {
  return target.kind === 'dir' ? target.dir : `s3://${target.bucket}/${target.prefix}`;
}
