import type { HeartbeatResp, Host, Image } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/*
 * Issue 11, finding 2: every host of an organization holds the same license key, so the
 * license key alone must never let anyone speak for a host the controller already knows.
 */

let h: Harness;
afterEach(async () => h?.close());

const IMPOSTOR_KEY = `wh_${'f'.repeat(32)}`;

async function storedAgentKey(hostId: string): Promise<string> {
  const { hosts } = h.core.ctx.t;
  const [row] = await h.core.ctx.db
    .select({ enc: hosts.agentKeyEnc })
    .from(hosts)
    .where(eq(hosts.id, hostId));
  return h.core.ctx.box.open(row?.enc ?? '');
}

async function host(id: string, token?: string): Promise<Host> {
  return json<Host>(await h.req('GET', `/v1/hosts/${id}`, undefined, token));
}

function heartbeatAs(hostId: string, credential: string, body: unknown = { generation: 0 }) {
  return h.core.app.request(`/v1/internal/hosts/${hostId}/heartbeat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify(body),
  });
}

/** A fake agent with the real host's id, reporting every VM of the real one as deleted. */
function impostorOf(real: FakeAgent): FakeAgent {
  const impostor = new FakeAgent({ hostId: real.hostId, key: IMPOSTOR_KEY });
  for (const [id, vm] of real.vms) {
    impostor.vms.set(id, { ...vm, state: 'deleted', generation: vm.generation + 100 });
  }
  impostor.generation = real.generation + 100;
  return impostor;
}

describe('a stolen license key', () => {
  it('cannot re-register an existing host, and none of its inventory is believed', async () => {
    h = await createHarness();
    const { agent: real, credential } = await h.addAgent({ hostId: 'host_real00000001' });
    await uploadImage(h, 'img');
    await h.req('POST', '/v1/envs', {
      id: 'victim',
      ssh_keys: [sshKey()],
      vms: [{ image: 'img' }],
    });
    await h.idle();
    const zone = await h.zoneOf('victim-0');
    const before = await host(real.hostId);

    const impostor = impostorOf(real);
    h.network.add('http://evil.test:9100', impostor);
    const refused = await h.register(impostor, { addr: 'http://evil.test:9100' });
    expect(refused.status).toBe(401);
    expect((await json(refused)).msg).toMatch(/X-Apiary-Host-Credential.*reset-credential/);

    // Nothing of the impostor's was believed: address, agent key, credential, VM states.
    expect((await json(await h.req('GET', '/v1/vms/victim-0'))).state).toBe('running');
    const after = await host(real.hostId);
    expect(after.addr).toBe(before.addr);
    expect(after.credential.state).toBe('active');
    expect(await storedAgentKey(real.hostId)).toBe(real.key);
    expect((await heartbeatAs(real.hostId, credential)).status).toBe(200);

    // Deleting the environment reaches the real host, not the impostor.
    expect((await h.req('DELETE', '/v1/envs/victim')).status).toBe(202);
    await h.idle();
    expect(real.vms.get(zone)?.state).toBe('deleted');
    expect((await json(await h.req('GET', '/v1/envs/victim'))).state).toBe('deleted');
    expect(impostor.calls).toHaveLength(0);
  });

  it("cannot re-register a host with another host's credential or a made-up one", async () => {
    h = await createHarness();
    const victim = await h.addAgent({ hostId: 'host_victim000001' });
    const mine = await h.addAgent({ hostId: 'host_mine00000001' });
    const impostor = impostorOf(victim.agent);
    for (const presented of [mine.credential, `aph_${'a'.repeat(40)}`]) {
      const res = await h.register(impostor, {
        addr: 'http://evil.test:9100',
        hostCredential: presented,
      });
      expect(res.status).toBe(401);
    }
    expect(await storedAgentKey(victim.agent.hostId)).toBe(victim.agent.key);
    expect((await heartbeatAs(victim.agent.hostId, victim.credential)).status).toBe(200);
  });

  it('cannot claim a host of no organization, which sees only public images', async () => {
    h = await createHarness();
    const { agent, credential } = await h.addAgent({ hostId: 'host_loose0000001' });
    const unassign = await h.req('PATCH', `/v1/hosts/${agent.hostId}`, { org_id: null });
    expect(unassign.status).toBe(200);
    const other = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'other' }));
    const otherLicense = await json<{ key: string }>(
      await h.req('POST', '/v1/license-keys', { name: 'other', org_id: other.id }),
    );
    for (const licenseKey of [h.licenseKey, otherLicense.key]) {
      const res = await h.register(impostorOf(agent), { licenseKey });
      expect(res.status).toBe(401);
      expect((await json(res)).msg).toMatch(/belongs to no organization/);
    }
    expect((await host(agent.hostId)).org_id).toBeNull();

    const tenant = await uploadImage(h, 'tenant-img', 'tenant bytes');
    const pub = await h.core.app.request('/v1/images?name=pub-img&format=zfs-send&public=true', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${h.adminKey}`,
        'content-type': 'application/octet-stream',
      },
      body: 'public bytes',
    });
    const publicImage = await json<Image>(pub);
    const asHost = (path: string) =>
      h.core.app.request(path, { headers: { authorization: `Bearer ${credential}` } });
    const listed = await json<{ items: Image[] }>(await asHost('/v1/internal/images'));
    expect(listed.items.map((i) => i.digest)).toEqual([publicImage.digest]);
    expect((await asHost(`/v1/internal/images/${tenant.digest}`)).status).toBe(404);
    expect((await asHost(`/v1/internal/images/${publicImage.digest}`)).status).toBe(200);
  });

  it('still registers a host id the controller does not know (a license key creates a host once)', async () => {
    h = await createHarness();
    const { credential } = await h.addAgent({ hostId: 'host_fresh0000001' });
    expect(credential).toMatch(/^aph_/);
    expect((await host('host_fresh0000001')).credential).toEqual({
      state: 'active',
      reregister_until: null,
    });
  });
});

describe('host credentials', () => {
  it('rotate through heartbeat answers, the old one working until the new one is used', async () => {
    h = await createHarness();
    const { agent, credential: old } = await h.addAgent({ hostId: 'host_rotate000001' });
    const rotate = await h.req('POST', `/v1/hosts/${agent.hostId}/rotate-credential`);
    expect(rotate.status).toBe(202);
    expect((await json<Host>(rotate)).credential.state).toBe('rotating');

    // An answer lost in transit costs nothing: the old credential still works and the next
    // answer carries another new one.
    const lost = await json<HeartbeatResp>(await heartbeatAs(agent.hostId, old));
    expect(lost.host_credential).toMatch(/^aph_/);
    const kept = await json<HeartbeatResp>(await heartbeatAs(agent.hostId, old));
    expect(kept.host_credential).toMatch(/^aph_/);
    expect(kept.host_credential).not.toBe(lost.host_credential);
    const fresh = kept.host_credential as string;

    // Image pulls accept the new one before the controller has seen it in a heartbeat.
    const pull = await h.core.app.request('/v1/internal/images', {
      headers: { authorization: `Bearer ${fresh}` },
    });
    expect(pull.status).toBe(200);

    const done = await json<HeartbeatResp>(await heartbeatAs(agent.hostId, fresh));
    expect(done.host_credential).toBeUndefined();
    expect((await heartbeatAs(agent.hostId, old)).status).toBe(401);
    expect((await heartbeatAs(agent.hostId, lost.host_credential as string)).status).toBe(401);
    expect((await host(agent.hostId)).credential.state).toBe('active');

    // The agent re-registers with the credential it now holds.
    const again = await h.register(agent, { hostCredential: fresh });
    expect(again.status).toBe(200);
    expect((await json<{ host_credential: string }>(again)).host_credential).toBe(fresh);
  });

  it('revoked, lock the host out of heartbeats, pulls and registration until a reset', async () => {
    h = await createHarness();
    const { agent, credential } = await h.addAgent({ hostId: 'host_revoke000001' });
    // Accepted a moment ago (what the heartbeat path keeps in memory is warm)...
    expect((await heartbeatAs(agent.hostId, credential)).status).toBe(200);
    const revoked = await h.req('POST', `/v1/hosts/${agent.hostId}/revoke-credential`);
    expect(revoked.status).toBe(200);
    expect((await json<Host>(revoked)).credential.state).toBe('revoked');
    // ...and refused by the very next heartbeat.
    expect((await heartbeatAs(agent.hostId, credential)).status).toBe(401);
    const pull = await h.core.app.request('/v1/internal/images', {
      headers: { authorization: `Bearer ${credential}` },
    });
    expect(pull.status).toBe(401);
    expect((await h.register(agent, { hostCredential: credential })).status).toBe(401);
    expect((await h.register(agent)).status).toBe(401);
  });

  it('reset, accept one registration of the host organization within the window', async () => {
    h = await createHarness({ manualClock: true });
    const { agent, credential } = await h.addAgent({ hostId: 'host_reset0000001' });
    const reset = await h.req('POST', `/v1/hosts/${agent.hostId}/reset-credential`, {
      expires_in: 600,
    });
    expect(reset.status).toBe(200);
    const view = await json<Host>(reset);
    expect(view.credential.state).toBe('awaiting_registration');
    expect(view.credential.reregister_until).not.toBeNull();
    expect((await heartbeatAs(agent.hostId, credential)).status).toBe(401);

    // A license key of another organization does not fit the window.
    const other = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'other' }));
    const otherLicense = await json<{ key: string }>(
      await h.req('POST', '/v1/license-keys', { name: 'other', org_id: other.id }),
    );
    expect((await h.register(agent, { licenseKey: otherLicense.key })).status).toBe(403);

    // The agent that lost its data dir comes back with the license key alone, once.
    const back = await h.register(agent, { hostCredential: credential });
    expect(back.status).toBe(200);
    const fresh = (await json<{ host_credential: string }>(back)).host_credential;
    expect(fresh).not.toBe(credential);
    expect((await heartbeatAs(agent.hostId, fresh)).status).toBe(200);
    expect((await host(agent.hostId)).credential.state).toBe('active');
    expect((await h.register(agent)).status).toBe(401);

    // A window that expired lets nobody in.
    await h.req('POST', `/v1/hosts/${agent.hostId}/reset-credential`, { expires_in: 60 });
    h.clock?.advance(61_000);
    expect((await host(agent.hostId)).credential.state).toBe('revoked');
    expect((await h.register(agent)).status).toBe(401);
  });

  it('are managed by org admins of the host organization only', async () => {
    h = await createHarness();
    const { agent } = await h.addAgent({ hostId: 'host_perm00000001' });
    const orgB = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'b' }));
    const password = 'a long password 123';
    const tokens: Record<string, string> = {};
    for (const [username, role, orgId] of [
      ['member1', 'member', undefined],
      ['adminb', 'org_admin', orgB.id],
    ] as const) {
      await h.req('POST', '/v1/users', { username, password, role, org_id: orgId });
      tokens[username] = (
        await json<{ token: string }>(
          await h.req('POST', '/v1/auth/login', { username, password }, null),
        )
      ).token;
    }
    for (const verb of ['rotate-credential', 'revoke-credential', 'reset-credential']) {
      const path = `/v1/hosts/${agent.hostId}/${verb}`;
      expect((await h.req('POST', path, {}, tokens.member1)).status).toBe(403);
      expect((await h.req('POST', path, {}, tokens.adminb)).status).toBe(404);
    }
    expect((await host(agent.hostId)).credential.state).toBe('active');
  });

  it('cannot be reset for a host of no organization', async () => {
    h = await createHarness();
    const { agent } = await h.addAgent({ hostId: 'host_noorg0000001' });
    await h.req('PATCH', `/v1/hosts/${agent.hostId}`, { org_id: null });
    const res = await h.req('POST', `/v1/hosts/${agent.hostId}/reset-credential`, {});
    expect(res.status).toBe(409);
    expect((await json(res)).msg).toMatch(/assign it to one first/);
  });
});
