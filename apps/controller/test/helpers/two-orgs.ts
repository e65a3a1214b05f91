import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { FakeAgent } from './fake-agent.js';
import { type Harness, json, sshKey } from './harness.js';
import { uploadImage } from './images.js';

/**
 * Two organizations that chose the same names where they could (an environment `shared`, an
 * image `img-shared`, keys named `shared-key`) and distinctive ones elsewhere, so a test can
 * ask whether anything of one ever reaches the other.
 */
export interface Tenant {
  tag: 'alpha' | 'bravo';
  orgId: string;
  orgName: string;
  admin: string;
  member: string;
  memberUserId: string;
  hostId: string;
  hostname: string;
  hostAddr: string;
  agent: FakeAgent;
  digest: string;
  /** The environment only this tenant has (`alpha-only`). */
  onlyEnv: string;
  apiKeyId: string;
  licenseKeyId: string;
  /** Internal ids of its environments and VMs (never in any answer to anyone). */
  internalIds: string[];
  /** Strings that name this tenant's things and must never reach the other tenant. */
  secrets: string[];
}

const PASSWORD = 'a long password 123';

async function login(h: Harness, username: string): Promise<string> {
  const res = await h.req('POST', '/v1/auth/login', { username, password: PASSWORD }, null);
  expect(res.status).toBe(200);
  return (await json<{ token: string }>(res)).token;
}

async function createTenant(h: Harness, tag: 'alpha' | 'bravo'): Promise<Tenant> {
  const orgName = `${tag === 'alpha' ? 'Alpha' : 'Bravo'} Corp`;
  const org = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: orgName }));
  const user = async (role: 'org_admin' | 'member') => {
    const username = `${tag}-${role === 'member' ? 'member' : 'admin'}`;
    const res = await h.req('POST', '/v1/users', {
      username,
      password: PASSWORD,
      role,
      org_id: org.id,
    });
    expect(res.status).toBe(201);
    const { id } = await json<{ id: string }>(res);
    return { id, token: await login(h, username) };
  };
  const admin = await user('org_admin');
  const member = await user('member');
  const license = await json<{ id: string; key: string }>(
    await h.req('POST', '/v1/license-keys', { name: 'shared-key' }, admin.token),
  );
  const hostId = `host_${tag}0000000001`;
  const hostname = `${tag}-hv`;
  const hostAddr = `http://${tag}-hv.test:9100`;
  const { agent } = await h.addAgent({ hostId, hostname, licenseKey: license.key, addr: hostAddr });
  const image = await uploadImage(h, 'img-shared', `${tag} image bytes`, admin.token);
  const onlyEnv = `${tag}-only`;
  for (const id of ['shared', onlyEnv]) {
    const res = await h.req(
      'POST',
      '/v1/envs',
      { id, ssh_keys: [sshKey()], vms: [{ image: 'img-shared', cpu: 1, mem: 512, disk: 2048 }] },
      member.token,
    );
    expect(res.status, `${tag} creates ${id}`).toBe(202);
  }
  const key = await json<{ id: string; prefix: string }>(
    await h.req('POST', '/v1/api-keys', { name: 'shared-key' }, member.token),
  );
  await h.idle();
  const { envs, vms } = h.core.ctx.t;
  const internalIds = [
    ...(await h.core.ctx.db.select({ id: envs.id }).from(envs).where(eq(envs.orgId, org.id))),
    ...(await h.core.ctx.db.select({ id: vms.id }).from(vms).where(eq(vms.orgId, org.id))),
  ].map((r) => r.id);
  return {
    tag,
    orgId: org.id,
    orgName,
    admin: admin.token,
    member: member.token,
    memberUserId: member.id,
    hostId,
    hostname,
    hostAddr,
    agent,
    digest: image.digest,
    onlyEnv,
    apiKeyId: key.id,
    licenseKeyId: license.id,
    internalIds,
    secrets: [
      org.id,
      orgName,
      `${tag}-admin`,
      `${tag}-member`,
      admin.id,
      member.id,
      hostId,
      hostname,
      hostAddr.replace('http://', ''),
      image.digest,
      image.digest.replace('sha256:', ''),
      onlyEnv,
      key.id,
      key.prefix,
      license.id,
      ...internalIds,
    ],
  };
}

export async function createTwoTenants(h: Harness): Promise<{ alpha: Tenant; bravo: Tenant }> {
  const alpha = await createTenant(h, 'alpha');
  const bravo = await createTenant(h, 'bravo');
  return { alpha, bravo };
}
