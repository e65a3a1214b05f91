import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Image } from '@apiary/protocol';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ControllerConfig } from '../../src/config.js';
import { qemuImgAvailable } from '../../src/services/images/intake/qemu-img.js';
import { type FileServer, startFileServer } from '../helpers/file-server.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { intakeOutcome } from '../helpers/intake-op.js';
import { emptyQcow2, patternedDisk, qcow2Of } from '../helpers/qemu.js';
import { NOTHING, storedCounts } from '../helpers/stored.js';
import { tempDir } from '../helpers/temp.js';

/*
 * Cloud images: qcow2 uploads converted to raw with qemu-img, and images fetched by URL from a
 * local server, within the target policy and the size and time limits. Each refusal leaves no
 * record, no blob and nothing staged.
 */

let h: Harness | undefined;
let server: FileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await h?.close();
  h = undefined;
});

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function harness(config: Partial<ControllerConfig> = {}) {
  h = await createHarness({ config });
  return h;
}

function upload(hh: Harness, query: string, body: Buffer) {
  return hh.core.app.request(`/v1/images?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hh.adminKey}`, 'content-type': 'application/octet-stream' },
    body,
  });
}

async function blobBytes(hh: Harness, digest: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await hh.core.ctx.blobs.open(digest)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  if (!(await qemuImgAvailable())) throw new Error('qemu-img is missing: install qemu-utils');
});

describe('qcow2 uploads', () => {
  it('converts a qcow2 made with qemu-img into a raw image whose content matches', async () => {
    const hh = await harness();
    const raw = patternedDisk(4 * 1024 * 1024);
    const qcow2 = await qcow2Of(tempDir('qcow2'), raw);
    const res = await upload(
      hh,
      'name=debian-12&format=qcow2&os=debian&version=12&arch=x86_64&cloud_init=true&default_user=debian',
      qcow2,
    );
    expect(res.status).toBe(201);
    const image = (await res.json()) as Image;
    expect(image).toMatchObject({
      name: 'debian-12',
      format: 'raw',
      size: raw.length,
      digest: sha(raw),
      source_digest: sha(qcow2),
      source_format: 'qcow2',
      os: 'debian',
      version: '12',
      arch: 'x86_64',
      cloud_init: true,
      default_user: 'debian',
      min_disk: 4,
      box: null,
    });
    expect((await blobBytes(hh, image.digest)).equals(raw)).toBe(true);
    expect(await storedCounts(hh)).toEqual({ records: 1, blobs: 1, staged: 0 });
    const listed = await json<{ items: Image[] }>(await hh.req('GET', '/v1/images'));
    expect(listed.items[0]).toMatchObject({ cloud_init: true, source_format: 'qcow2' });
  });

  it('refuses a qcow2 whose virtual size is over --image-max-virtual-bytes, storing nothing', async () => {
    const hh = await harness({ imageMaxVirtualBytes: 1024 ** 3 });
    const res = await upload(hh, 'name=huge&format=qcow2', await emptyQcow2(tempDir('q'), '10G'));
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/10737418240-byte disk.*--image-max-virtual-bytes/);
    expect(await storedCounts(hh)).toEqual(NOTHING);
  });

  it('refuses a qcow2 with a backing file (it would read a controller file into the image)', async () => {
    const hh = await harness();
    const dir = tempDir('q');
    const secret = join(dir, 'controller-file.raw');
    writeFileSync(secret, Buffer.alloc(1024 * 1024, 's'));
    const res = await upload(hh, 'name=backed&format=qcow2', await emptyQcow2(dir, '1M', secret));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/backing file/);
    expect(await storedCounts(hh)).toEqual(NOTHING);
  });

  it('refuses bytes that are not a qcow2, storing nothing', async () => {
    const hh = await harness();
    const res = await upload(hh, 'name=junk&format=qcow2', Buffer.from('not a qcow2 at all'));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/qemu-img could not read the image/);
    expect(await storedCounts(hh)).toEqual(NOTHING);
  });
});

describe('images fetched by URL', () => {
  it('fetches a qcow2, resuming a dropped connection with Range, and stores its raw conversion', async () => {
    const hh = await harness({ allowAgentTargets: ['loopback'] });
    server = await startFileServer();
    const raw = patternedDisk(2 * 1024 * 1024);
    const qcow2 = await qcow2Of(tempDir('q'), raw);
    server.files.set('/images/cloud.qcow2', { body: qcow2 });
    server.breakOnce('/images/cloud.qcow2', 100_000);
    const res = await hh.req('POST', '/v1/images/fetch', {
      url: `${server.url}/images/cloud.qcow2`,
      name: 'cloud',
      metadata: { os: 'ubuntu', cloud_init: true },
    });
    const { op, image } = await intakeOutcome(hh, res);
    expect(op).toMatchObject({ kind: 'fetch_image', state: 'succeeded', error: null });
    expect(op.result).toEqual({ image: 'cloud', image_digest: sha(raw) });
    if (!image) throw new Error('no image');
    expect(image).toMatchObject({
      format: 'raw',
      digest: sha(raw),
      source_digest: sha(qcow2),
      os: 'ubuntu',
      cloud_init: true,
    });
    expect(server.log).toEqual([
      'GET /images/cloud.qcow2',
      'GET /images/cloud.qcow2 bytes=100000-',
    ]);
    expect((await blobBytes(hh, image.digest)).equals(raw)).toBe(true);
    expect((await storedCounts(hh)).staged).toBe(0);
  });

  it('refuses a loopback URL unless the operator allowed loopback targets', async () => {
    const hh = await harness();
    server = await startFileServer();
    server.files.set('/disk.raw', { body: Buffer.alloc(4096, 1) });
    const res = await hh.req('POST', '/v1/images/fetch', {
      url: `${server.url}/disk.raw`,
      name: 'sneaky',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/loopback.*--allow-agent-targets loopback/);
    expect(server.log).toEqual([]);
    expect(await storedCounts(hh)).toEqual(NOTHING);
  });

  it('gives up on a server that stalls, within --image-fetch-timeout-ms, storing nothing', async () => {
    const hh = await harness({ allowAgentTargets: ['loopback'], imageFetchTimeoutMs: 500 });
    server = await startFileServer();
    server.files.set('/slow.raw', { hang: true });
    const started = Date.now();
    const res = await hh.req('POST', '/v1/images/fetch', {
      url: `${server.url}/slow.raw`,
      name: 'slow',
    });
    const { op } = await intakeOutcome(hh, res);
    expect(op.state).toBe('failed');
    expect(op.error?.code).toBe('timeout');
    expect(op.error?.msg).toMatch(/did not answer within 500 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await storedCounts(hh)).toEqual(NOTHING);
  });

  it('refuses a download over --max-image-bytes, storing nothing', async () => {
    const hh = await harness({ allowAgentTargets: ['loopback'], maxImageBytes: 1000 });
    server = await startFileServer();
    server.files.set('/big.raw', { body: Buffer.alloc(5000, 2) });
    const res = await hh.req('POST', '/v1/images/fetch', {
      url: `${server.url}/big.raw`,
      name: 'big',
    });
    const { op } = await intakeOutcome(hh, res);
    expect(op).toMatchObject({ state: 'failed', error: { code: 'payload_too_large' } });
    expect(await storedCounts(hh)).toEqual(NOTHING);
  });
});
