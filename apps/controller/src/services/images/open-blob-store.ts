import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { ControllerConfig } from '../../config.js';
import type { BlobStore } from './blob-store.js';
import type { BlobStoreTarget } from './blob-store-target.js';
import { DirBlobStore } from './dir-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';
import { readCredentialsFile, type S3Credentials } from './s3-credentials.js';

export class BlobStoreConfigError extends Error {}

type S3Config = Pick<
  ControllerConfig,
  's3Endpoint' | 's3Region' | 's3PathStyle' | 's3CredentialsFile' | 's3Credentials'
>;

/** The store `--blob-store` names; by default `DATA_DIR/images`, where blobs always were. */
export function openBlobStore(
  config: Pick<ControllerConfig, 'dataDir' | 'blobStore'> & S3Config,
): BlobStore {
  const target: BlobStoreTarget = config.blobStore ?? {
    kind: 'dir',
    dir: join(config.dataDir, 'images'),
  };
  if (target.kind === 'dir') return new DirBlobStore(target.dir);
  return new S3BlobStore({
    client: createS3Client(config),
    bucket: target.bucket,
    prefix: target.prefix,
  });
}

function credentials(config: S3Config): S3Credentials {
  // The file wins: it is what the operator named for this controller.
  if (config.s3CredentialsFile) {
    try {
      return readCredentialsFile(config.s3CredentialsFile);
    } catch (error) {
      throw new BlobStoreConfigError((error as Error).message);
    }
  }
  if (config.s3Credentials) return config.s3Credentials;
  throw new BlobStoreConfigError(
    '--blob-store s3://...: no S3 credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --s3-credentials-file FILE',
  );
}

export function createS3Client(config: S3Config): S3Client {
  return new S3Client({
    region: config.s3Region,
    endpoint: config.s3Endpoint,
    forcePathStyle: config.s3PathStyle,
    credentials: credentials(config),
    // Checksums only where S3 demands them: many S3-compatible stores reject or mangle the
    // aws-chunked bodies the SDK sends by default since 2025. The sha256 of every blob is
    // computed by the controller anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Transient errors (503 SlowDown, resets) are retried by the SDK; the count stays small
    // so a store that is down fails an upload in seconds, not minutes.
    maxAttempts: 3,
  });
}
