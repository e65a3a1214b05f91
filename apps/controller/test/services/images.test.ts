import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Env, Image } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { digestOf, uploadImage } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

const blobs = () => readdirSync(join(h.dataDir, 'images'));

describe('images', () => {
  it('streams an upload, computes its sha256 and deduplicates identical content', async () => {
    h = await createHarness();
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
    expect(blobs()).toEqual([first.digest.slice(7)]);
    const list = await json<{ items: Image[] }>(await h.req('GET', '/api/images'));
    expect(list.items.map((i) => i.digest)).toEqual([first.digest]);
    expect((await json<Image>(await h.req('GET', `/v1/images/${first.digest}`))).size).toBe(
      content.length,
    );
  });

  it('refuses an image over the size limit and leaves no partial file', async () => {
    h = await createHarness({ config: { maxImageBytes: 1000 } });
    const res = await h.core.app.request('/v1/images?name=big', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}` },
      body: 'x'.repeat(5000),
    });
    expect(res.status).toBe(413);
    expect(blobs()).toEqual([]);
  });

  it('serves blobs to hosts with HEAD and Range, so a broken download resumes', async () => {
    h = await createHarness();
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

  it('refuses to delete an image a VM uses, then deletes it and its blob', async () => {
    h = await createHarness();
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
    expect(blobs()).toEqual([]);
  });

  it('places on a host that already holds the image rather than the emptiest one', async () => {
    h = await createHarness();
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
