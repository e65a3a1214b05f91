import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '@apiary/protocol';

/** Writes `source` to `path`, no more than `maxBytes`, and returns its sha256 and size. */
export async function stageStream(
  source: Readable,
  path: string,
  maxBytes: number,
): Promise<{ digest: `sha256:${string}`; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        return done(
          new ApiError('payload_too_large', `the image is larger than ${maxBytes} bytes`),
        );
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(source, meter, createWriteStream(path, { mode: 0o600 }));
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** The sha256 of a file already on disk (a download). */
export async function digestFile(source: Readable): Promise<`sha256:${string}`> {
  const hash = createHash('sha256');
  for await (const chunk of source) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}
