import type { Env, FleetStatus, Host, Image } from '@apiary/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/**
 * Authorization matrix: two organizations with an admin and a member each, a host, an image,
 * an environment and keys each. Nobody sees or touches the other organization's things; each
 * role does exactly what it should.
 */
let h: Harness;
const t: Record<string, string> = {};
const ids: Record<string, string> = {};

async function userWithKey(name: string, role: 'org_admin' | 'member', orgId: string) {
  await h.req('POST', '/v1/users', {
    username: name,
    password: 'a long password 123',
    role,
    org_id: orgId,
  });
  const login = await json<{ token: string }>(
    await h.req(
      'POST',
      '/v1/auth/login',
      { username: name, password: 'a long password 123' },
      null,
    ),
  );
  return login.token;
}

beforeAll(async () => {
  h = await createHarness();
  for (const org of ['A', 'B']) {
    const created = await json<{ id: string }>(
      await h.req('POST', '/v1/orgs', { name: `Org ${org}` }),
    );
    ids[`org${org}`] = created.id;
    t[`admin${org}`] = await userWithKey(`admin${org.toLowerCase()}`, 'org_admin', created.id);
    t[`member${org}`] = await userWithKey(`member${org.toLowerCase()}`, 'member', created.id);
    const lic = await json<{ key: string }>(
      await h.req('POST', '/v1/license-keys', { name: org }, t[`admin${org}`]),
    );
    await h.addAgent({ hostId: `host_org${org.toLowerCase()}00000001`, licenseKey: lic.key });
    ids[`host${org}`] = `host_org${org.toLowerCase()}00000001`;
    const image = await uploadImage(
      h,
      `img-${org.toLowerCase()}`,
      `content ${org}`,
      t[`admin${org}`],
    );
    ids[`image${org}`] = image.digest;
    const env = await h.req(
      'POST',
      '/v1/envs',
      {
        id: `env-${org.toLowerCase()}`,
        ssh_keys: [sshKey()],
        vms: [{ image: `img-${org.toLowerCase()}` }],
      },
      t[`member${org}`],
    );
    expect(env.status).toBe(202);
    const key = await json<{ id: string }>(
      await h.req('POST', '/v1/api-keys', { name: `k${org}` }, t[`member${org}`]),
    );
    ids[`key${org}`] = key.id;
  }
  await h.idle();
});
afterAll(async () => h.close());

describe('organization B cannot see or touch organization A', () => {
  const asB = ['adminB', 'memberB'];

  it.each(asB)(
    '%s lists only its own hosts, environments, images, keys and status',
    async (who) => {
      const token = t[who];
      const hosts = await json<{ items: Host[] }>(
        await h.req('GET', '/v1/hosts', undefined, token),
      );
      expect(hosts.items.map((x) => x.id)).toEqual([ids.hostB]);
      const envs = await json<{ items: Env[] }>(await h.req('GET', '/v1/envs', undefined, token));
      expect(envs.items.map((e) => e.id)).toEqual(['env-b']);
      const images = await json<{ items: Image[] }>(
        await h.req('GET', '/v1/images', undefined, token),
      );
      expect(images.items.map((i) => i.digest)).toEqual([ids.imageB]);
      const keys = await json<{ items: Array<{ org_id: string }> }>(
        await h.req('GET', '/v1/api-keys', undefined, token),
      );
      expect(keys.items.every((k) => k.org_id === ids.orgB)).toBe(true);
      const status = await json<FleetStatus>(await h.req('GET', '/api/status', undefined, token));
      expect([status.hosts.total, status.envs.total, status.vms.total, status.images]).toEqual([
        1, 1, 1, 1,
      ]);
    },
  );

  const touches: Array<[string, string, unknown?]> = [
    ['GET', '/v1/hosts/HOST_A'],
    ['PATCH', '/v1/hosts/HOST_A', { public_addr: 'x' }],
    ['DELETE', '/v1/hosts/HOST_A'],
    ['POST', '/v1/hosts/HOST_A/drain', {}],
    ['GET', '/v1/hosts/HOST_A/drain-status'],
    ['POST', '/v1/hosts/HOST_A/undrain'],
    ['POST', '/v1/hosts/HOST_A/activate'],
    ['GET', '/v1/envs/env-a'],
    ['POST', '/v1/envs/env-a/stop'],
    ['POST', '/v1/envs/env-a/start'],
    ['POST', '/v1/envs/env-a/extend', { seconds: 60 }],
    ['DELETE', '/v1/envs/env-a'],
    ['GET', '/v1/vms/env-a-0'],
    ['POST', '/v1/vms/env-a-0/stop'],
    ['GET', '/v1/images/IMAGE_A'],
    ['DELETE', '/v1/images/IMAGE_A'],
    ['DELETE', '/v1/api-keys/KEY_A'],
  ];
  const cases = asB.flatMap((who) => touches.map(([m, p, b]) => [who, m, p, b] as const));
  it.each(cases)('%s: %s %s answers 404 and changes nothing', async (who, method, path, body) => {
    const real = path
      .replace('HOST_A', ids.hostA as string)
      .replace('IMAGE_A', ids.imageA as string)
      .replace('KEY_A', ids.keyA as string);
    const res = await h.req(method, real, body, t[who]);
    // Members are refused admin-only actions first (403); neither answer reveals A's object.
    expect([403, 404]).toContain(res.status);
    if (res.status === 403) expect(who).toBe('memberB');
  });

  it('leaves A untouched after all of that', async () => {
    const env = await json<Env>(await h.req('GET', '/v1/envs/env-a', undefined, t.memberA));
    expect(env.state).toBe('active');
    expect(env.vms[0]?.state).toBe('running');
    const host = await json<Host>(
      await h.req('GET', `/v1/hosts/${ids.hostA}`, undefined, t.adminA),
    );
    expect([host.policy, host.public_addr]).toEqual(['eligible', `host-orga00000001.test`]);
    expect((await h.req('GET', `/v1/images/${ids.imageA}`, undefined, t.memberA)).status).toBe(200);
  });

  it("cannot use A's image or place on A's host", async () => {
    const byName = await h.req(
      'POST',
      '/v1/envs',
      { id: 'steal', ssh_keys: [sshKey()], vms: [{ image: 'img-a' }] },
      t.memberB,
    );
    expect(byName.status).toBe(400);
    const byDigest = await h.req(
      'POST',
      '/v1/envs',
      { id: 'steal', ssh_keys: [sshKey()], vms: [{ image: ids.imageA }] },
      t.memberB,
    );
    expect(byDigest.status).toBe(400);
    // B's only host is full after enough VMs; A's host is never offered to B.
    const big = await h.req(
      'POST',
      '/v1/envs',
      { id: 'huge', ssh_keys: [sshKey()], vms: [{ image: 'img-b', cpu: 8, mem: 8192 }] },
      t.memberB,
    );
    expect(big.status).toBe(409);
    const refusal = await json<{ details: { hosts: Array<{ host_id: string }> } }>(big);
    expect(refusal.details.hosts.map((x) => x.host_id)).toEqual([ids.hostB]);
  });

  it('cannot create things in A by naming its organization', async () => {
    for (const [path, body] of [
      [
        '/v1/envs',
        { id: 'sneaky', ssh_keys: [sshKey()], vms: [{ image: 'img-b' }], org_id: ids.orgA },
      ],
      ['/v1/api-keys', { name: 'sneaky', org_id: ids.orgA }],
      ['/v1/license-keys', { name: 'sneaky', org_id: ids.orgA }],
      ['/v1/users', { username: 'sneaky', password: 'a long password 123', org_id: ids.orgA }],
    ] as const) {
      expect((await h.req('POST', path, body, t.adminB)).status, path).toBe(403);
    }
  });
});

describe('roles', () => {
  it('lets a member use environments but not administer hosts, images, users or license keys', async () => {
    const m = t.memberA;
    expect((await h.req('GET', `/v1/hosts/${ids.hostA}`, undefined, m)).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', `/v1/hosts/${ids.hostA}/drain`, {}],
      ['POST', `/v1/hosts/${ids.hostA}/activate`, undefined],
      ['DELETE', `/v1/hosts/${ids.hostA}`, undefined],
      ['POST', '/v1/hosts', { addr: '10.9.9.9:9100' }],
      ['DELETE', `/v1/images/${ids.imageA}`, undefined],
      ['POST', '/v1/users', { username: 'x1', password: 'a long password 123' }],
      ['GET', '/v1/users', undefined],
      ['GET', '/v1/license-keys', undefined],
      ['POST', '/v1/license-keys', { name: 'x' }],
      ['POST', '/v1/orgs', { name: 'x' }],
      ['POST', '/v1/api-keys', { name: 'x', role: 'org_admin' }],
    ] as const) {
      expect((await h.req(method, path, body, m)).status, `${method} ${path}`).toBe(403);
    }
    const upload = await h.core.app.request('/v1/images?name=m', {
      method: 'POST',
      headers: { authorization: `Bearer ${m}` },
      body: 'x',
    });
    expect(upload.status).toBe(403);
    const keys = await json<{ items: Array<{ user_id: string | null; name: string }> }>(
      await h.req('GET', '/v1/api-keys', undefined, m),
    );
    expect(keys.items.map((k) => k.name)).toEqual(['kA']);
    expect((await h.req('POST', '/v1/envs/env-a/extend', { seconds: 60 }, m)).status).toBe(200);
  });

  it('lets an org admin administer its organization but not assign hosts or create super-admins', async () => {
    const a = t.adminA;
    const users = await json<{ items: Array<{ username: string }> }>(
      await h.req('GET', '/v1/users', undefined, a),
    );
    expect(users.items.map((u) => u.username).sort()).toEqual(['admina', 'membera']);
    expect(
      (
        await h.req(
          'POST',
          '/v1/users',
          { username: 'newa', password: 'a long password 123', role: 'member' },
          a,
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await h.req(
          'POST',
          '/v1/users',
          { username: 'supera', password: 'a long password 123', role: 'super_admin' },
          a,
        )
      ).status,
    ).toBe(403);
    expect((await h.req('PATCH', `/v1/hosts/${ids.hostA}`, { org_id: ids.orgB }, a)).status).toBe(
      403,
    );
    expect(
      (await h.req('PATCH', `/v1/hosts/${ids.hostA}`, { public_addr: '203.0.113.10' }, a)).status,
    ).toBe(200);
    const keys = await json<{ items: Array<{ name: string }> }>(
      await h.req('GET', '/v1/api-keys', undefined, a),
    );
    expect(keys.items.map((k) => k.name)).toContain('kA');
    expect((await h.req('GET', '/v1/orgs', undefined, a)).status).toBe(200);
    const orgs = await json<{ items: Array<{ id: string }> }>(
      await h.req('GET', '/v1/orgs', undefined, a),
    );
    expect(orgs.items.map((o) => o.id)).toEqual([ids.orgA]);
  });

  it('lets the super-admin see everything and assign hosts', async () => {
    const hosts = await json<{ total: number }>(await h.req('GET', '/v1/hosts'));
    expect(hosts.total).toBe(2);
    const envs = await json<{ items: Env[] }>(await h.req('GET', '/v1/envs'));
    expect(envs.items.map((e) => e.id).sort()).toEqual(['env-a', 'env-b']);
    const refused = await h.req('PATCH', `/v1/hosts/${ids.hostA}`, { org_id: ids.orgB });
    expect(refused.status).toBe(409);
    expect((await json(refused)).msg).toMatch(/still runs 1 VMs/);
  });
});
