import type { Image } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, sshKey } from '../helpers/harness.js';

/*
 * Image metadata that does something (issue 16): `min_disk` refuses a boot disk the image does
 * not fit on, at environment create and at a disk change; `default_user` is the user the VM's
 * cloud-init creates with the SSH keys, unless the VM names its own.
 */

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function upload(query: string, bytes = 4096): Promise<Image> {
  const res = await h.core.app.request(`/v1/images?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/octet-stream' },
    body: Buffer.alloc(bytes, 7),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Image;
}

describe('min_disk', () => {
  it('refuses an environment whose VM disk is smaller than its image’s min_disk (400 naming the field)', async () => {
    h = await createHarness();
    await h.addAgent({ hostId: 'host_mindisk00001' });
    await upload('name=big&format=raw&min_disk=8192');
    const res = await h.req('POST', '/v1/envs', {
      id: 'small',
      ssh_keys: [sshKey()],
      vms: [{ image: 'big', disk: 4096 }],
    });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain('body.vms.0.disk');
    expect(body).toMatch(/image big needs a disk of at least 8192 MiB \(its min_disk\); 4096 MiB/);
    // Nothing was made of it.
    expect((await h.req('GET', '/v1/envs/small')).status).toBe(404);
    const ok = await h.req('POST', '/v1/envs', {
      id: 'fits',
      ssh_keys: [sshKey()],
      vms: [{ image: 'big', disk: 8192 }],
    });
    expect(ok.status, await ok.clone().text()).toBe(202);
    await h.idle();
  });

  it('refuses a boot disk change still under the image’s min_disk', async () => {
    h = await createHarness();
    await h.addAgent({ hostId: 'host_mindisk00002' });
    const image = await upload('name=img&format=raw&min_disk=2048');
    const res = await h.req('POST', '/v1/envs', {
      id: 'grow',
      ssh_keys: [sshKey()],
      vms: [{ image: 'img', disk: 2048 }],
    });
    expect(res.status).toBe(202);
    await h.idle();
    // The image's floor rose since (its uploader corrected it): a change must reach it.
    const { images } = h.core.ctx.t;
    await h.core.ctx.db
      .update(images)
      .set({ minDisk: 10_240 })
      .where(eq(images.digest, image.digest));
    const refused = await h.req('PATCH', '/v1/vms/grow-0', { disk: 4096 });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(
      /body\.disk: image img needs a disk of at least 10240 MiB/,
    );
  });
});

describe('default_user', () => {
  it('is the user the agent is asked to create with the keys, unless the VM names one', async () => {
    h = await createHarness();
    const { agent } = await h.addAgent({ hostId: 'host_defuser00001' });
    await upload('name=deb&format=raw&default_user=debian&cloud_init=true');
    const res = await h.req('POST', '/v1/envs', {
      id: 'users',
      ssh_keys: [sshKey()],
      vms: [{ image: 'deb' }, { image: 'deb', user: 'alice' }],
    });
    expect(res.status, await res.clone().text()).toBe(202);
    await h.idle();
    const byId = new Map(agent.createRequests.map((r) => [r.id, r]));
    expect(byId.get(await h.zoneOf('users-0'))?.user).toBe('debian');
    expect(byId.get(await h.zoneOf('users-1'))?.user).toBe('alice');
  });

  it('sends no user when neither the image nor the VM names one', async () => {
    h = await createHarness();
    const { agent } = await h.addAgent({ hostId: 'host_defuser00002' });
    await upload('name=plain&format=raw');
    expect(
      (
        await h.req('POST', '/v1/envs', {
          id: 'plain',
          ssh_keys: [sshKey()],
          vms: [{ image: 'plain' }],
        })
      ).status,
    ).toBe(202);
    await h.idle();
    expect(agent.createRequests).toHaveLength(1);
    expect(agent.createRequests[0]?.user).toBeUndefined();
  });

  it('refuses a user name outside the POSIX grammar', async () => {
    h = await createHarness();
    await upload('name=plain&format=raw');
    const res = await h.req('POST', '/v1/envs', {
      id: 'bad',
      ssh_keys: [sshKey()],
      vms: [{ image: 'plain', user: 'Root; rm -rf /' }],
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('body.vms.0.user');
  });
});
