import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** One entry of a test `.box`. */
export type BoxEntry =
  | { name: string; body: Buffer | string }
  | { name: string; symlinkTo: string }
  | { name: string; directory: true };

/** A `.box` as Vagrant packs one: a tar of the entries, gzip-compressed unless asked not to. */
export async function buildBox(entries: BoxEntry[], gzip = true): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    if ('symlinkTo' in e) pack.entry({ name: e.name, type: 'symlink', linkname: e.symlinkTo });
    else if ('directory' in e) pack.entry({ name: e.name, type: 'directory' });
    else pack.entry({ name: e.name }, typeof e.body === 'string' ? Buffer.from(e.body) : e.body);
  }
  pack.finalize();
  await done;
  const tarBytes = Buffer.concat(chunks);
  return gzip ? gzipSync(tarBytes) : tarBytes;
}

export function hexDigest(type: 'sha256' | 'sha512' | 'sha1' | 'md5', data: Buffer): string {
  return createHash(type).update(data).digest('hex');
}

/** A Vagrant box catalog (`GET /ORG/BOX`) listing `versions`. */
export function catalog(
  name: string,
  versions: Array<{
    version: string;
    providers: Array<{ name: string; url: string; checksum?: string; checksum_type?: string }>;
  }>,
  description = `${name} for tests`,
) {
  return { name, description, versions };
}
