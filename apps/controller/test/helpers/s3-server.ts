import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { ControllerConfig } from '../../src/config.js';
import { createS3Client } from '../../src/services/images/open-blob-store.js';
import { S3BlobStore, type S3BlobStoreOptions } from '../../src/services/images/s3-blob-store.js';
import { onCleanup, tempDir } from './temp.js';

export const TEST_BUCKET = 'apiary-blobs';
/** Any pair works with s3rver, which checks signatures against this one. */
export const TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3TestServer {
  endpoint: string;
  /** A client of the server, for what the tests do behind the store's back. */
  client: S3Client;
  /** Controller settings that store blobs in this server under `prefix`. */
  config(prefix: string): Partial<ControllerConfig>;
  store(prefix: string, o?: Partial<S3BlobStoreOptions>): S3BlobStore;
  /** Every key in the bucket under `prefix`, sorted. */
  keys(prefix: string): Promise<string[]>;
  /** Writes an object directly, as something other than a blob store would. */
  putRaw(key: string, body: string): Promise<void>;
}

/**
 * An S3-compatible server (s3rver, from npm) in this process, on a loopback port, its data in
 * a temporary directory; stopped and removed after the test file. s3rver comes with the
 * lockfile, so it is always there: nothing to skip.
 */
export async function startS3Server(): Promise<S3TestServer> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: tempDir('s3rver'),
    silent: true,
    configureBuckets: [{ name: TEST_BUCKET }],
  });
  const { port } = await server.run();
  onCleanup(() => server.close());
  return s3TestServer(`http://127.0.0.1:${port}`, TEST_CREDENTIALS);
}

export function s3TestServer(
  endpoint: string,
  s3Credentials: { accessKeyId: string; secretAccessKey: string },
): S3TestServer {
  const settings = {
    s3Endpoint: endpoint,
    s3Region: 'us-east-1',
    s3PathStyle: true,
    s3Credentials,
  } satisfies Partial<ControllerConfig>;
  const client = createS3Client(settings);
  onCleanup(() => client.destroy());
  return {
    endpoint,
    client,
    config: (prefix) => ({ ...settings, blobStore: { kind: 's3', bucket: TEST_BUCKET, prefix } }),
    store: (prefix, o = {}) => new S3BlobStore({ client, bucket: TEST_BUCKET, prefix, ...o }),
    async keys(prefix) {
      const out = await client.send(
        new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: prefix }),
      );
      return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
    async putRaw(key, body) {
      await client.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: key, Body: body }));
    },
  };
}
