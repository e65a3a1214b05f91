import { createHash } from 'node:crypto';
import { createControllerClient, type Env, type Image } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerConfig } from '../../src/config.js';
import { STORE_KINDS, type StoreUnderTest, storeUnderTest } from '../helpers/blob-stores.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { digestOf, uploadImage } from '../helpers/images.js';
import { serveCore } from '../helpers/serve-core.js';

let h: Harness;
afterEach(async () => h?.close());

describe.each(STORE_KINDS)('images in the %s blob store', (kind) => {
  let store: StoreUnderTest;
  const blobs = () => store.names(h.dataDir);
  /** A controller whose blobs are in a fresh store of this kind. */
  async function harness(config: Partial<ControllerConfig> = {}) {
    store = await storeUnderTest(kind);
    h = await createHarness({ config: { ...store.config, ...config } });
    return h;
  }

  it('streams an upload, computes its sha256 and deduplicates identical content', async () => {
    await harness();
    const content = 'ZFS-STREAM '.repeat(50_000);
    const first = await uploadImage(h, 'alpine-cloud', content);
    expect(first).toMatchObject({
      digest: digestOf(content),
      name: 'alpine-cloud',
      format: 'zfs-send',
      size: content.length,
    });
    const again = await h.core.app.request('/v1/images?name=alpine-cloud', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}` },
      body: content,
    });
    expect(again.status).toBe(200);
    expect(await blobs()).toEqual([first.digest.slice(7)]);
    const list = await json<{ items: Image[] }>(await h.req('GET', '/api/images'));
    expect(list.items.map((i) => i.digest)).toEqual([first.digest]);
    expect((await json<Image>(await h.req('GET', `/v1/images/${first.digest}`))).size).toBe(
      content.length,
    );
  });

  it('refuses an image over the size limit and leaves no partial file', async () => {
    await harness({ maxImageBytes: 1000 });
    const res = await h.core.app.request('/v1/images?name=big', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}` },
      body: 'x'.repeat(5000),
    });
    expect(res.status).toBe(413);
    expect(await blobs()).toEqual([]);
  });

  it('serves blobs to hosts with HEAD and Range, so a broken download resumes', async () => {
    await harness();
    const { credential } = await h.addAgent({ hostId: 'host_img000000001' });
    const content = Array.from({ length: 10_000 }, (_, i) => String(i % 10)).join('');
    const image = await uploadImage(h, 'img', content);
    const url = `/v1/internal/images/${image.digest}`;
    const auth = { authorization: `Bearer ${credential}` };
    const head = await h.core.app.request(url, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('10000');
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    const firstPart = await h.core.app.request(url, {
      headers: { ...auth, range: 'bytes=0-4095' },
    });
    expect(firstPart.status).toBe(206);
    expect(firstPart.headers.get('content-range')).toBe('bytes 0-4095/10000');
    const a = Buffer.from(await firstPart.arrayBuffer());
    expect(a.length).toBe(4096);
    const rest = await h.core.app.request(url, {
      headers: { ...auth, range: `bytes=${a.length}-` },
    });
    const b = Buffer.from(await rest.arrayBuffer());
    const whole = Buffer.concat([a, b]);
    expect(`sha256:${createHash('sha256').update(whole).digest('hex')}`).toBe(image.digest);
    const beyond = await h.core.app.request(url, { headers: { ...auth, range: 'bytes=20000-' } });
    expect(beyond.status).toBe(416);
    expect(
      (await h.core.app.request(url, { headers: { authorization: 'Bearer aph_wrong' } })).status,
    ).toBe(401);
    const listed = await json<{ items: Image[] }>(
      await h.core.app.request('/v1/internal/images', { headers: auth }),
    );
    expect(listed.items.map((i) => i.digest)).toEqual([image.digest]);
  });

  it('streams an image to an agent pulling it over HTTP, resuming where a pull stopped', async () => {
    await harness();
    const { credential } = await h.addAgent({ hostId: 'host_img000000003' });
    const content = Buffer.alloc(3 * 1024 * 1024 + 5).map((_, i) => (i * 31) % 253);
    const upload = await h.core.app.request('/v1/images?name=pulled&format=raw', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}` },
      body: content,
    });
    const image = await json<Image>(upload);
    const server = await serveCore(h.core);
    try {
      // The agent's own client, as controller-link.ts calls it.
      const client = createControllerClient({ baseUrl: server.url, token: credential, retries: 0 });
      const first = await client.internalDownloadImage({ params: { digest: image.digest } });
      const reader = (first.body as ReadableStream<Uint8Array>).getReader();
      const got: Uint8Array[] = [];
      let have = 0;
      // A pull cut short after the first megabyte or so.
      while (have < 1024 * 1024) {
        const { value, done } = await reader.read();
        if (done || !value) break;
        got.push(value);
        have += value.length;
      }
      await reader.cancel();
      const rest = await client.internalDownloadImage(
        { params: { digest: image.digest } },
        { headers: { range: `bytes=${have}-` } },
      );
      expect(rest.status).toBe(206);
      const whole = Buffer.concat([...got, Buffer.from(await rest.arrayBuffer())]);
      expect(whole.length).toBe(content.length);
      expect(`sha256:${createHash('sha256').update(whole).digest('hex')}`).toBe(image.digest);
      // Gone from the store (removed behind the controller's back): not found, not a 500.
      const other = await uploadImage(h, 'other', 'other bytes');
      await h.core.ctx.blobs.delete(other.digest);
      await expect(
        client.internalDownloadImage({ params: { digest: other.digest } }),
      ).rejects.toMatchObject({ status: 404 });
    } finally {
      await server.close();
    }
  });

  it('refuses to delete an image a VM uses, then deletes it and its blob', async () => {
    await harness();
    await h.addAgent({ hostId: 'host_img000000002' });
    const image = await uploadImage(h, 'img');
    await h.req('POST', '/v1/envs', {
      id: 'uses',
      ssh_keys: [sshKey()],
      vms: [{ image: image.digest }],
    });
    await h.idle();
    const refused = await h.req('DELETE', `/v1/images/${image.digest}`);
    expect(refused.status).toBe(409);
    await h.req('DELETE', '/v1/envs/uses');
    await h.idle();
    expect((await h.req('DELETE', `/v1/images/${image.digest}`)).status).toBe(200);
    expect(await blobs()).toEqual([]);
  });

  it('places on a host that already holds the image rather than the emptiest one', async () => {
    await harness();
    const image = await uploadImage(h, 'img');
    await h.addAgent({
      hostId: 'host_img_big00001',
      total: { cpu: 64, mem: 262144, disk: 4_000_000 },
    });
    const { agent, credential } = await h.addAgent({ hostId: 'host_img_has00001' });
    agent.images.add(image.digest);
    agent.generation += 1;
    await h.heartbeat(agent, credential);
    const env = await json<Env>(
      await h.req('POST', '/v1/envs', {
        id: 'near',
        ssh_keys: [sshKey()],
        vms: [{ image: 'img' }],
      }),
    );
    expect(env.vms[0]?.host_id).toBe('host_img_has00001');
    expect((await json<Image>(await h.req('GET', `/v1/images/${image.digest}`))).hosts).toEqual([
      'host_img_has00001',
    ]);
    await h.idle();
  });
});
