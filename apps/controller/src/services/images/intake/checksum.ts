import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ApiError } from '@apiary/protocol';

/** The checksum types a box catalog may give (`checksum_type`), as node:crypto names them. */
const TYPES: Record<string, string> = {
  sha256: 'sha256',
  sha512: 'sha512',
  sha1: 'sha1',
  md5: 'md5',
  sha384: 'sha384',
};

/**
 * Reads `path` once, checking it against the registry's checksum (when it gives one) and
 * computing its sha256 (the image's source digest).
 */
export async function verifyChecksum(
  path: string,
  checksumType: string | null | undefined,
  checksum: string | null | undefined,
): Promise<{ sha256: `sha256:${string}` }> {
  const wanted = checksum?.trim().toLowerCase();
  const type = checksumType?.trim().toLowerCase();
  let algorithm: string | undefined;
  if (wanted) {
    algorithm = type ? TYPES[type] : undefined;
    if (!algorithm) {
      throw new ApiError(
        'validation',
        `the registry gives a ${type ?? 'typeless'} checksum; Apiary checks ${Object.keys(TYPES).join(', ')}`,
      );
    }
  }
  const sha256 = createHash('sha256');
  const check = algorithm && algorithm !== 'sha256' ? createHash(algorithm) : undefined;
  for await (const chunk of createReadStream(path)) {
    sha256.update(chunk as Buffer);
    check?.update(chunk as Buffer);
  }
  const sha256Hex = sha256.digest('hex');
  if (wanted) {
    const got = check ? check.digest('hex') : sha256Hex;
    if (got !== wanted) {
      throw new ApiError(
        'validation',
        `the box's ${type} checksum is ${got}, the registry says ${wanted}: the download is not the box the registry describes`,
      );
    }
  }
  return { sha256: `sha256:${sha256Hex}` };
}
