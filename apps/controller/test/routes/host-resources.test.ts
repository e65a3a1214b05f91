import type { AuditEvent } from '@apiary/protocol';
import { waitFor } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControllerEvent } from '../../src/lib/event-bus.js';
import { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/*
 * A host's links, networks and storage through the controller (issue 14), in process against
 * a fake agent: bodies checked with the agent's own schemas before anything is sent, who may
 * ask, and what the agent says coming back in users' words.
 */

const HOST = 'host_resources0001';
const PASSWORD = 'a long password 123';
let h: Harness;
let agent: FakeAgent;
let memberToken: string;
let otherAdminToken: string;
let otherMemberToken: string;

async function login(username: string): Promise<string> {
  const res = await h.req('POST', '/v1/auth/login', { username, password: PASSWORD }, null);
  return (await json<{ token: string }>(res)).token;
}

/** Requests the agent saw for a path under `/api/` since `mark`. */
const sentSince = (mark: number, path: string) =>
  agent.calls.slice(mark).filter((c) => c.path.startsWith(path));

async function auditOfHost(): Promise<AuditEvent[]> {
  const res = await h.req('GET', `/v1/audit?resource=host:${HOST}&limit=200`);
  return (await json<{ items: AuditEvent[] }>(res)).items;
}

beforeAll(async () => {
  h = await createHarness();
  ({ agent } = await h.addAgent({ hostId: HOST, hostname: 'hv-one' }));
  const host = await json<{ org_id: string }>(await h.req('GET', `/v1/hosts/${HOST}`));
  await h.req('POST', '/v1/users', {
    username: 'mo',
    password: PASSWORD,
    role: 'member',
    org_id: host.org_id,
  });
  memberToken = await login('mo');
  const other = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'Other' }));
  await h.req('POST', '/v1/users', {
    username: 'otto',
    password: PASSWORD,
    role: 'org_admin',
    org_id: other.id,
  });
  otherAdminToken = await login('otto');
  await h.req('POST', '/v1/users', {
    username: 'olga',
    password: PASSWORD,
    role: 'member',
    org_id: other.id,
  });
  otherMemberToken = await login('olga');
});
afterAll(async () => h.close());

describe('host resources through the controller', () => {
  it.each([
    ['POST', 'networks', { name: 'lan', kind: 'bridged' }, '/api/networks'],
    ['POST', 'networks', { name: 'lab', kind: 'private', subnet: '10.9.0.1/24' }, '/api/networks'],
    ['POST', 'links', { kind: 'vnic', name: 'apiary9' }, '/api/host/links'],
    ['PUT', 'forwarding', {}, '/api/host/forwarding'],
    ['POST', 'storage/datasets', { name: 'rpool', type: 'filesystem' }, '/api/storage/datasets'],
    ['POST', 'storage/datasets', { name: 'rpool/v', type: 'volume' }, '/api/storage/datasets'],
    ['PATCH', 'storage/datasets/rpool%2Fdata', {}, '/api/storage/datasets'],
    ['PATCH', 'storage/datasets/rpool%2Fdata', { recordsize: 4096 }, '/api/storage/datasets'],
    ['POST', 'storage/swap', { name: 'rpool/swap2', size: 1000 }, '/api/storage/swap'],
  ])(
    'refuses %s %s with a bad body (400) and sends nothing to the agent',
    async (method, path, body, agentPath) => {
      const mark = agent.calls.length;
      const audited = (await auditOfHost()).length;
      const res = await h.req(method, `/v1/hosts/${HOST}/${path}`, body);
      expect(res.status, await res.clone().text()).toBe(400);
      expect((await json(res)).code).toBe('validation');
      expect(sentSince(mark, agentPath)).toEqual([]);
      // Refused by the route's own schema, before its handler: nothing to audit.
      expect(await auditOfHost()).toHaveLength(audited);
    },
  );

  it('refuses a bad name in the path or query (400) and sends nothing', async () => {
    const mark = agent.calls.length;
    for (const path of [
      'storage/datasets/rpool%2F..%2Fx',
      'storage/datasets?type=everything',
      'links/bad%20link',
      'networks/Not_A_Name',
      'storage/datasets/rpool%2Fx?recursive=yes',
    ]) {
      const method = path.startsWith('storage/datasets?') ? 'GET' : 'DELETE';
      const res = await h.req(method, `/v1/hosts/${HOST}/${path}`);
      expect(res.status, path).toBe(400);
    }
    expect(sentSince(mark, '/api/')).toEqual([]);
  });

  it('answers 404 for an unknown host and for anyone of another organization, 403 for a member', async () => {
    const mark = agent.calls.length;
    const unknown = await h.req('GET', '/v1/hosts/host_nosuch000001/networks');
    expect(unknown.status).toBe(404);
    for (const [method, path] of [
      ['GET', 'networks'],
      ['GET', 'links'],
      ['DELETE', 'networks/lan'],
      ['DELETE', 'storage/datasets/rpool%2Fdata'],
    ] as const) {
      for (const token of [otherAdminToken, otherMemberToken]) {
        const foreign = await h.req(method, `/v1/hosts/${HOST}/${path}`, undefined, token);
        expect(foreign.status, `${method} ${path} by another organization`).toBe(404);
        expect((await json(foreign)).msg).toBe(`host ${HOST} not found`);
      }
      const member = await h.req(method, `/v1/hosts/${HOST}/${path}`, undefined, memberToken);
      expect(member.status, `${method} ${path} by a member`).toBe(403);
    }
    expect(sentSince(mark, '/api/')).toEqual([]);
  });

  it('creates a network on the agent, tells dashboards and records it in the audit trail', async () => {
    const events: ControllerEvent[] = [];
    const stop = h.core.ctx.events.subscribe((e) => events.push(e));
    const res = await h.req('POST', `/v1/hosts/${HOST}/networks`, {
      name: 'lan',
      kind: 'bridged',
      link: 'e1000g1',
      vlan: 12,
    });
    stop();
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await json(res)).toMatchObject({ name: 'lan', kind: 'bridged', vlan: 12 });
    expect(agent.networks.items.get('lan')).toMatchObject({ link: 'e1000g1', vlan: 12 });
    expect(events.filter((e) => e.type === 'host.networks')).toEqual([
      expect.objectContaining({ data: { id: HOST, created: 'lan' } }),
    ]);
    const list = await json<{ items: Array<{ name: string }> }>(
      await h.req('GET', `/v1/hosts/${HOST}/networks`),
    );
    expect(list.items.map((n) => n.name)).toEqual(['nat', 'lan']);
    expect((await auditOfHost())[0]).toMatchObject({
      action: 'createHostNetwork',
      outcome: 'succeeded',
    });
  });

  it('passes the agent’s refusal on with its status, naming VMs as users know them', async () => {
    const internalId = await runVmOnHost();
    expect(internalId).not.toBe('web-0');
    agent.networks.usedBy.set('lan', [internalId]);
    const res = await h.req('DELETE', `/v1/hosts/${HOST}/networks/lan`);
    expect(res.status).toBe(409);
    const body = await json(res);
    expect(body).toMatchObject({ code: 'conflict', msg: 'network lan is in use by vm:web-0' });
    expect(JSON.stringify(body)).not.toContain(internalId);
    expect((await auditOfHost())[0]).toMatchObject({
      action: 'deleteHostNetwork',
      outcome: 'failed',
      error_code: 'conflict',
    });
    agent.networks.usedBy.delete('lan');
    expect((await h.req('DELETE', `/v1/hosts/${HOST}/networks/lan`)).status).toBe(200);
    expect(agent.networks.items.has('lan')).toBe(false);
  });

  it('answers 502 naming the host when its agent refuses the controller’s own key', async () => {
    agent.networks.keyRole = 'operator';
    try {
      const res = await h.req('POST', `/v1/hosts/${HOST}/networks`, {
        name: 'lab',
        kind: 'private',
        subnet: '10.9.0.0/24',
      });
      expect(res.status).toBe(502);
      expect(await json(res)).toMatchObject({
        code: 'upstream_failed',
        msg: expect.stringMatching(/^host hv-one gave the controller a key of role operator/),
      });
    } finally {
      agent.networks.keyRole = 'admin';
    }
  });

  it('polls a host added by address at once when its networks changed', async () => {
    const added = new FakeAgent({ hostId: 'host_added00000001', hostname: 'hv-added' });
    h.network.add('http://10.0.0.9:9100', added);
    const res = await h.req('POST', '/v1/hosts', {
      addr: 'http://10.0.0.9:9100',
      api_key: added.key,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = await json<{ id: string }>(res);
    const mark = added.calls.length;
    const made = await h.req('POST', `/v1/hosts/${id}/networks`, {
      name: 'lab',
      kind: 'private',
      subnet: '10.9.0.0/24',
    });
    expect(made.status).toBe(201);
    // No poll timer runs here: only the refresh the change asked for reads the inventory.
    await waitFor(
      () =>
        added.calls.slice(mark).some((c) => c.method === 'GET' && c.path === '/api/networks') ||
        undefined,
      { what: 'the added host to be polled', timeoutMs: 5000, intervalMs: 20 },
    );
  });

  it('answers 503 naming the host when its agent does not answer', async () => {
    agent.down = true;
    try {
      const res = await h.req('GET', `/v1/hosts/${HOST}/storage/pools`);
      expect(res.status).toBe(503);
      expect((await json(res)).msg).toMatch(/^host hv-one does not answer/);
    } finally {
      agent.down = false;
    }
  });
});

/** A running VM `web-0` on HOST; its internal id (what agents call it). */
async function runVmOnHost(): Promise<string> {
  await uploadImage(h, 'img', 'image bytes');
  const res = await h.req('POST', '/v1/envs', {
    id: 'web',
    ssh_keys: [sshKey()],
    vms: [{ image: 'img', cpu: 1, mem: 512, disk: 1024 }],
  });
  expect(res.status, await res.clone().text()).toBe(202);
  await h.idle();
  return h.zoneOf('web-0');
}
