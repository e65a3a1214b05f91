import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { ApiError } from '@apiary/protocol';
import type { StoreLimits } from './blob-store.js';

/**
 * The stream an upload passes through on its way to a store: it counts and hashes the bytes,
 * and stops the upload at the size limit or when the guard refuses (quota, disk floor) before
 * the chunk goes further.
 */
export function blobMeter({ maxBytes, guard }: StoreLimits) {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    async transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(new ApiError('payload_too_large', `image larger than ${maxBytes} bytes`));
        return;
      }
      const pass = () => {
        hash.update(chunk);
        done(null, chunk);
      };
      if (!guard) return pass();
      await guard(size).then(pass, done);
    },
  });
  return {
    stream,
    /** Once the stream has ended: the digest and size of what passed. */
    result() {
      if (size === 0) throw new ApiError('validation', 'empty image');
      return { digest: `sha256:${hash.digest('hex')}` as const, size };
    },
  };
}
