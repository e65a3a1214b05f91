import { PassThrough, type Readable } from 'node:stream';
import { ApiError } from '@apiary/protocol';
import { randomBase32 } from '@apiary/server-kit';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
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
import { copyObject } from './s3-copy.js';

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix, empty or ending in `/`. */
  prefix: string;
  /** Bytes per part of a multipart upload (S3: at least 5 MiB); parts in flight are in memory. */
  partBytes?: number;
  /** Largest object copied in one request; larger ones are copied in parts (S3: 5 GiB). */
  copyLimitBytes?: number;
}

const isMissing = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/**
 * Blobs as objects `<prefix><sha256 hex>` in an S3-compatible bucket. An upload streams to a
 * temporary key (a multipart upload: a few parts in memory, never the whole image) while its
 * sha256 is computed; only then is the digest known, so the object is copied to its digest key
 * inside the store and the temporary key removed. Uploading straight to the digest key would
 * need the digest before the first byte, which clients do not send; and a key named for a
 * digest its bytes might not match (an upload cut short) must never be visible to agents.
 * Two controllers storing the same content copy identical bytes to the same key: the result is
 * one blob whichever copy lands last.
 */
export class S3BlobStore implements BlobStore {
  readonly localDir = null;
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partBytes: number;
  private readonly copyLimitBytes: number;

  constructor(o: S3BlobStoreOptions) {
    this.client = o.client;
    this.bucket = o.bucket;
    this.prefix = o.prefix;
    this.partBytes = o.partBytes ?? 8 * 1024 ** 2;
    this.copyLimitBytes = o.copyLimitBytes ?? 5 * 1024 ** 3;
    this.location = `s3://${o.bucket}/${o.prefix}`;
  }

  key(digest: string): string {
    return `${this.prefix}${digestHex(digest)}`;
  }

  async put(body: Readable, limits: StoreLimits): Promise<StoredBlob> {
    const tmpKey = `${this.prefix}${UPLOAD_PREFIX}${randomBase32(12)}`;
    const meter = blobMeter(limits);
    // The request body's errors (a client gone) must end the upload, as the meter's do. The
    // first such error is what the caller hears, not what aborting the upload said after it.
    const source = new PassThrough();
    let streamError: Error | undefined;
    let bodyError: Error | undefined;
    const fail = (e: Error) => {
      streamError ??= e;
      source.destroy(e);
    };
    body.on('error', (e) => {
      bodyError ??= e;
      fail(e);
    });
    meter.stream.on('error', fail);
    body.pipe(meter.stream).pipe(source);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: tmpKey, Body: source },
      partSize: this.partBytes,
      queueSize: 2,
      // A failed upload aborts its multipart upload: no orphaned parts.
      leavePartsOnError: false,
    });
    let uploaded = false;
    try {
      await upload.done();
      uploaded = true;
      const { digest, size } = meter.result();
      const key = this.key(digest);
      if (await this.exists(key)) return { digest, size, created: false };
      await copyObject(this.client, this.bucket, tmpKey, key, size, this.copyLimitBytes);
      return { digest, size, created: true };
    } catch (error) {
      body.destroy();
      throw putFailure(streamError ?? error, bodyError);
    } finally {
      // A temporary key that cannot be removed now is swept at a later start.
      if (uploaded) await this.deleteKey(tmpKey).catch(() => undefined);
    }
  }

  private async exists(key: string): Promise<boolean> {
    return (await this.sizeOf(key)) !== null;
  }

  private async sizeOf(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  private async deleteKey(key: string) {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async has(digest: string): Promise<boolean> {
    return this.exists(this.key(digest));
  }

  async size(digest: string): Promise<number | null> {
    return this.sizeOf(this.key(digest));
  }

  async open(digest: string, range?: ByteRange): Promise<Readable> {
    try {
      const got = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.key(digest),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      // In Node.js the SDK's body is the HTTP response stream itself: nothing is buffered.
      return got.Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw new ApiError('not_found', `image ${digest} not found`);
      throw error;
    }
  }

  async delete(digest: string): Promise<void> {
    await this.deleteKey(this.key(digest));
  }

  async sweepStale(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    const Prefix = `${this.prefix}${UPLOAD_PREFIX}`;
    let removed = 0;
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key || (o.LastModified?.getTime() ?? 0) > cutoff) continue;
        await this.deleteKey(o.Key);
        removed += 1;
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return removed + (await this.abortStaleMultipart(Prefix, cutoff));
  }

  /** Multipart uploads a crash left open (their parts are billed until aborted). */
  private async abortStaleMultipart(Prefix: string, cutoff: number): Promise<number> {
    let page: ListMultipartUploadsCommandOutput;
    try {
      page = await this.client.send(
        new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix }),
      );
    } catch (error) {
      // Some S3-compatible stores do not list multipart uploads; a lifecycle rule covers them.
      if ((error as { name?: string }).name === 'NotImplemented') return 0;
      throw error;
    }
    let aborted = 0;
    for (const u of page.Uploads ?? []) {
      if (!u.Key || !u.UploadId || (u.Initiated?.getTime() ?? 0) > cutoff) continue;
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }),
      );
      aborted += 1;
    }
    return aborted;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
