import type { Env, Host, Image, Vm } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage, uploadIso } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

const envBody = (vm: Record<string, unknown>, id = 'inst') => ({
  id,
  ssh_keys: [sshKey()],
  vms: [vm],
});

async function reserved(hostId: string) {
  const list = await json<{ items: Host[] }>(await h.req('GET', '/v1/hosts'));
  return list.items.find((x) => x.id === hostId)?.capacity.reserved;
}

describe('environments of VMs installed from an ISO', () => {
  it('creates a VM that boots its ISO with an empty disk of the given size', async () => {
    h = await createHarness();
    const { agent } = await h.addAgent({ hostId: 'host_iso_0000001' });
    const iso = await uploadIso(h, 'debian-12');
    expect(iso.format).toBe('iso');
    const res = await h.req('POST', '/v1/envs', envBody({ boot_iso: 'debian-12', disk: 8192 }));
    expect(res.status).toBe(202);
    expect((await json<Env>(res)).vms[0]).toMatchObject({ boot_iso: true, disk: 8192 });
    await h.idle();
    const vm = await json<Vm>(await h.req('GET', '/v1/vms/inst-0'));
    expect(vm).toMatchObject({
      state: 'running',
      boot_iso: true,
      image: 'debian-12',
      image_digest: iso.digest,
      disk: 8192,
    });
    // The agent was asked for an ISO install of exactly the placed ISO, by digest.
    const onHost = agent.vms.get(await h.zoneOf('inst-0'));
    expect(onHost).toMatchObject({ cdrom: iso.digest, image: iso.digest, disk: 8192 });
    expect(await reserved('host_iso_0000001')).toMatchObject({ disk: 8192 });
    // The ISO is in use: deleting it is refused while the VM exists.
    const del = await h.req('DELETE', `/v1/images/${iso.digest}`);
    expect(del.status).toBe(409);
  });

  it('shows a VM made from a disk image as not installed from an ISO', async () => {
    h = await createHarness();
    await h.addAgent({ hostId: 'host_iso_0000001' });
    await uploadImage(h, 'alpine-cloud');
    await h.req('POST', '/v1/envs', envBody({ image: 'alpine-cloud' }, 'plain'));
    await h.idle();
    expect(await json<Vm>(await h.req('GET', '/v1/vms/plain-0'))).toMatchObject({
      boot_iso: false,
      state: 'running',
    });
  });

  it('places an ISO VM on a host that already holds the ISO', async () => {
    h = await createHarness();
    const iso = await uploadIso(h, 'debian-12');
    await h.addAgent({ hostId: 'host_iso_big00001', total: { cpu: 64, mem: 262144, disk: 4e6 } });
    const { agent, credential } = await h.addAgent({ hostId: 'host_iso_has00001' });
    agent.images.add(iso.digest);
    agent.generation += 1;
    await h.heartbeat(agent, credential);
    const env = await json<Env>(
      await h.req('POST', '/v1/envs', envBody({ boot_iso: iso.digest, disk: 4096 })),
    );
    expect(env.vms[0]?.host_id).toBe('host_iso_has00001');
    await h.idle();
  });

  it('pushes the ISO as an ISO to a host added by address, then installs there', async () => {
    h = await createHarness();
    const agent = new FakeAgent({ hostId: 'host_iso_push0001' });
    h.network.add('http://10.0.0.7:9100', agent);
    const added = await h.req('POST', '/v1/hosts', {
      addr: 'http://10.0.0.7:9100',
      api_key: agent.key,
    });
    expect(added.status).toBe(201);
    const iso = await uploadIso(h, 'debian-12');
    await h.req('POST', '/v1/envs', envBody({ boot_iso: 'debian-12', disk: 4096 }));
    await h.idle();
    expect((await json<Env>(await h.req('GET', '/v1/envs/inst'))).state).toBe('active');
    expect(agent.uploadedFormats.get(iso.digest)).toBe('iso');
    expect(agent.vms.get(await h.zoneOf('inst-0'))).toMatchObject({ cdrom: iso.digest });
  });

  it.each([
    ['neither image nor boot_iso', { disk: 8192 }, /vms\.0\.image: give an image, or boot_iso/],
    [
      'both image and boot_iso',
      { image: 'alpine-cloud', boot_iso: 'debian-12' },
      /vms\.0\.boot_iso: give image or boot_iso, not both/,
    ],
    ['an ISO as image', { image: 'debian-12' }, /vms\.0\.image: debian-12 is an ISO/],
    [
      'a disk image as boot_iso',
      { boot_iso: 'alpine-cloud' },
      /vms\.0\.boot_iso: alpine-cloud is a disk image \(format zfs-send\), not an ISO/,
    ],
    ['an unknown ISO', { boot_iso: 'nope' }, /image nope is not known/],
  ])('refuses %s with a 400 and creates nothing', async (_, vm, msg) => {
    h = await createHarness();
    const { agent } = await h.addAgent({ hostId: 'host_iso_0000001' });
    await uploadIso(h, 'debian-12');
    await uploadImage(h, 'alpine-cloud');
    const res = await h.req('POST', '/v1/envs', envBody(vm));
    expect(res.status).toBe(400);
    const body = await json<{ msg: string; code: string }>(res);
    expect(body).toMatchObject({ code: 'validation' });
    expect(body.msg).toMatch(msg);
    await h.idle();
    expect((await h.req('GET', '/v1/envs/inst')).status).toBe(404);
    expect(agent.liveVms()).toEqual([]);
    expect(await reserved('host_iso_0000001')).toEqual({ cpu: 0, mem: 0, disk: 0 });
  });

  it("counts an ISO against the organization's image quota like any image", async () => {
    h = await createHarness({ config: { orgImageQuotaBytes: 1000 } });
    await uploadIso(h, 'small', 'x'.repeat(600));
    const res = await h.core.app.request('/v1/images?name=big&format=iso', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}` },
      body: 'y'.repeat(600),
    });
    expect(res.status).toBe(413);
    expect(await json(res)).toMatchObject({
      code: 'quota_exceeded',
      details: { used_bytes: 600, quota_bytes: 1000 },
    });
  });

  it('lists ISOs with their format beside disk images, and alone with ?format=iso', async () => {
    h = await createHarness();
    await uploadIso(h, 'debian-12');
    await uploadImage(h, 'alpine-cloud');
    const list = await json<{ items: Image[] }>(await h.req('GET', '/v1/images'));
    expect(list.items.map((i) => [i.name, i.format])).toEqual([
      ['alpine-cloud', 'zfs-send'],
      ['debian-12', 'iso'],
    ]);
    const isos = await json<{ items: Image[]; total: number }>(
      await h.req('GET', '/v1/images?format=iso'),
    );
    expect([isos.total, isos.items.map((i) => i.name)]).toEqual([1, ['debian-12']]);
    expect((await h.req('GET', '/v1/images?format=vmdk')).status).toBe(400);
  });
});
