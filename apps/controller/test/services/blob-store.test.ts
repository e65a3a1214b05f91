import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/services/images/blob-store.js';
import { DirBlobStore } from '../../src/services/images/dir-blob-store.js';
import { chunked, sharedS3Server } from '../helpers/blob-stores.js';
import { tempDir } from '../helpers/temp.js';

const MiB = 1024 * 1024;
const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const bytes = (n: number) => randomBytes(n);

interface Subject {
  store: BlobStore;
  /** Every name in the store's directory or under its key prefix. */
  names(): Promise<string[]>;
}

let counter = 0;
const subjects: Record<'dir' | 's3', () => Promise<Subject>> = {
  async dir() {
    const dir = join(tempDir('blobs'), 'images');
    const store = new DirBlobStore(dir);
    return { store, names: async () => readdirSync(dir).sort() };
  },
  async s3() {
    const server = await sharedS3Server();
    const prefix = `contract${++counter}/`;
    // Small parts, so a few MiB already take the multipart path.
    const store = server.store(prefix, { partBytes: 5 * MiB });
    return {
      store,
      names: async () => (await server.keys(prefix)).map((k) => k.slice(prefix.length)),
    };
  },
};

describe.each(['dir', 's3'] as const)('the %s blob store', (kind) => {
  it('stores a streamed upload under its sha256, and serves it whole and by range', async () => {
    const { store, names } = await subjects[kind]();
    const content = bytes(12 * MiB + 17);
    const blob = await store.put(chunked(content), { maxBytes: 64 * MiB });
    expect(blob).toEqual({ digest: digestOf(content), size: content.length, created: true });
    expect(await names()).toEqual([blob.digest.slice(7)]);
    expect(await store.has(blob.digest)).toBe(true);
    expect(await store.size(blob.digest)).toBe(content.length);
    expect(digestOf(await buffer(await store.open(blob.digest)))).toBe(blob.digest);
    const part = await buffer(
      await store.open(blob.digest, { start: 5 * MiB - 3, end: 5 * MiB + 9 }),
    );
    expect(part).toEqual(content.subarray(5 * MiB - 3, 5 * MiB + 10));
    await store.delete(blob.digest);
    expect(await store.has(blob.digest)).toBe(false);
    expect(await store.size(blob.digest)).toBeNull();
    await expect(store.open(blob.digest)).rejects.toMatchObject({ code: 'not_found' });
    await store.delete(blob.digest);
    expect(await names()).toEqual([]);
  });

  it('keeps one blob when two uploads of the same content run at once, and no temporary file', async () => {
    const { store, names } = await subjects[kind]();
    const content = bytes(6 * MiB);
    const [a, b] = await Promise.all([
      store.put(chunked(content, 32 * 1024), { maxBytes: 64 * MiB }),
      store.put(chunked(content, 48 * 1024), { maxBytes: 64 * MiB }),
    ]);
    expect(a?.digest).toBe(digestOf(content));
    expect(b?.digest).toBe(a?.digest);
    expect(await names()).toEqual([digestOf(content).slice(7)]);
    expect(digestOf(await buffer(await store.open(digestOf(content))))).toBe(digestOf(content));
    // A directory publishes with link(2): exactly one of the two created the blob.
    if (kind === 'dir') expect([a?.created, b?.created].sort()).toEqual([false, true]);
    const again = await store.put(chunked(content), { maxBytes: 64 * MiB });
    expect(again.created).toBe(false);
    expect(await names()).toEqual([digestOf(content).slice(7)]);
  });

  it('leaves nothing behind when the guard or the size limit stops an upload part-way', async () => {
    const { store, names } = await subjects[kind]();
    const content = bytes(11 * MiB);
    const refused = new ApiError('quota_exceeded', 'full');
    await expect(
      store.put(chunked(content), {
        maxBytes: 64 * MiB,
        guard: async (received) => {
          if (received > 7 * MiB) throw refused;
        },
      }),
    ).rejects.toBe(refused);
    await expect(store.put(chunked(content), { maxBytes: 3 * MiB })).rejects.toMatchObject({
      code: 'payload_too_large',
    });
    await expect(store.put(Readable.from([]), { maxBytes: 10 })).rejects.toMatchObject({
      code: 'validation',
    });
    expect(await names()).toEqual([]);
  });

  it('leaves nothing behind when the client goes away mid-upload', async () => {
    const { store, names } = await subjects[kind]();
    let sent = 0;
    const body = new Readable({
      read() {
        sent += 1;
        if (sent > 100) this.destroy(new Error('socket hang up'));
        else this.push(Buffer.alloc(64 * 1024, sent));
      },
    });
    await expect(store.put(body, { maxBytes: 64 * MiB })).rejects.toMatchObject({
      code: 'validation',
      message: expect.stringContaining('socket hang up'),
    });
    expect(await names()).toEqual([]);
  });

  it('refuses a name that is not a sha256 digest', async () => {
    const { store } = await subjects[kind]();
    for (const bad of ['sha256:../../etc/passwd', 'sha256:ABC', `sha256:${'a'.repeat(63)}`])
      await expect(store.has(bad)).rejects.toMatchObject({ code: 'validation' });
  });
});

describe('sweeping interrupted uploads', () => {
  it('removes only old leftovers from a directory: a young one may be another controller at work', async () => {
    const dir = join(tempDir('blobs'), 'images');
    const store = new DirBlobStore(dir);
    const kept = await store.put(chunked(bytes(1000)), { maxBytes: 10_000 });
    await store.sweepStale(1000);
    writeFileSync(join(dir, '.upload-old'), 'x');
    writeFileSync(join(dir, '.upload-young'), 'x');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(join(dir, '.upload-old'), hourAgo, hourAgo);
    expect(await store.sweepStale(60_000)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['.upload-young', kept.digest.slice(7)]);
  });

  it('removes only old leftovers from a bucket', async () => {
    const server = await sharedS3Server();
    const prefix = 'sweep/';
    const store = server.store(prefix);
    const kept = await store.put(chunked(bytes(1000)), { maxBytes: 10_000 });
    // A temporary object left behind, as by a controller that died between upload and copy.
    await server.putRaw(`${prefix}.upload-leftover`, 'partial');
    const digest = kept.digest;
    expect(await store.sweepStale(3600_000)).toBe(0);
    expect(await server.keys(prefix)).toEqual([
      `${prefix}.upload-leftover`,
      `${prefix}${digest.slice(7)}`,
    ]);
    expect(await store.sweepStale(0)).toBe(1);
    expect(await server.keys(prefix)).toEqual([`${prefix}${digest.slice(7)}`]);
  });
});

describe('the s3 blob store streams', () => {
  it('sends the first part long before the body ends: the image is never held whole', async () => {
    const server = await sharedS3Server();
    const store = server.store('streamed/', { partBytes: 5 * MiB });
    const total = 64 * MiB;
    let produced = 0;
    const body = new Readable({
      read() {
        if (produced >= total) return this.push(null);
        produced += MiB;
        this.push(randomBytes(MiB));
      },
    });
    let producedAtFirstPart: number | null = null;
    server.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand') producedAtFirstPart ??= produced;
        return next(args);
      },
      { step: 'initialize', name: 'watchFirstPart' },
    );
    try {
      const blob = await store.put(body, { maxBytes: 128 * MiB });
      expect(blob.size).toBe(total);
    } finally {
      server.client.middlewareStack.remove('watchFirstPart');
    }
    // Two parts in flight and the streams' buffers: far from the whole 64 MiB.
    expect(producedAtFirstPart).not.toBeNull();
    expect(producedAtFirstPart).toBeLessThan(24 * MiB);
  });
});
