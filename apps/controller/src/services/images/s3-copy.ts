import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';

/** S3 allows at most this many parts in one multipart upload. */
const MAX_PARTS = 10_000;
/** Parts copied per request when an object is too large for one copy. */
const COPY_PART_BYTES = 512 * 1024 ** 2;

/**
 * Copies `from` to `to` inside the bucket, without the bytes passing through the controller:
 * one CopyObject up to `limit` bytes (S3's is 5 GiB), else a multipart upload whose parts are
 * copied ranges of the source (UploadPartCopy).
 */
export async function copyObject(
  client: S3Client,
  bucket: string,
  from: string,
  to: string,
  size: number,
  limit: number,
) {
  // URL-encoded per segment: some stores decode the header with decodeURI, which keeps %2F.
  const CopySource = `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}`;
  if (size <= limit) {
    await client.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource }));
    return;
  }
  const partBytes = Math.max(Math.min(COPY_PART_BYTES, limit), Math.ceil(size / MAX_PARTS));
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: to }),
  );
  try {
    const Parts: { ETag?: string; PartNumber: number }[] = [];
    for (let start = 0, n = 1; start < size; start += partBytes, n += 1) {
      const end = Math.min(size, start + partBytes) - 1;
      const part = await client.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: to,
          UploadId,
          PartNumber: n,
          CopySource,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
      Parts.push({ ETag: part.CopyPartResult?.ETag, PartNumber: n });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: to,
        UploadId,
        MultipartUpload: { Parts },
      }),
    );
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId }))
      .catch(() => undefined);
    throw error;
  }
}
