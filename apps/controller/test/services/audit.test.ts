import type { AuditEvent } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

type Page = { items: AuditEvent[]; total: number };

async function audit(query = '', token?: string): Promise<Page> {
  const res = await h.req('GET', `/v1/audit${query}`, undefined, token);
  expect(res.status, await res.clone().text()).toBe(200);
  return json<Page>(res);
}

async function fleetWithEnv(name: string, lifetime = 21600) {
  const { agent } = await h.addAgent({
    hostId: 'host_audit00000001',
    total: { cpu: 8, mem: 16384, disk: 400_000 },
  });
  await uploadImage(h, 'alpine-cloud');
  const res = await h.req(
    'POST',
    '/v1/envs',
    { id: name, ssh_keys: [sshKey()], vms: [{ image: 'alpine-cloud' }], lifetime },
    undefined,
    { 'x-request-id': 'req_auditcreate01' },
  );
  expect(res.status).toBe(202);
  await h.idle();
  return agent;
}

describe('the audit trail', () => {
  it('records who created, stopped and deleted an environment, with the outcome, newest first', async () => {
    h = await createHarness();
    await fleetWithEnv('web');
    expect((await h.req('POST', '/v1/envs/web/stop')).status).toBe(202);
    await h.idle();
    expect((await h.req('DELETE', '/v1/envs/web')).status).toBe(202);
    await h.idle();
    const { items } = await audit('?resource=env:web');
    expect(items.map((e) => e.action)).toEqual(['deleteEnv', 'stopEnv', 'createEnv']);
    const created = items[2] as AuditEvent;
    expect(created).toMatchObject({
      actor: { kind: 'api_key', name: 'admin' },
      resource: { kind: 'env', id: 'web' },
      outcome: 'accepted',
      request_id: 'req_auditcreate01',
    });
    // Reading changes nothing, so it is not recorded.
    expect((await audit('?actor=admin')).items.some((e) => e.action.startsWith('get'))).toBe(false);
  });

  it('records a refused change as failed with its error code, without naming what it missed', async () => {
    h = await createHarness();
    expect((await h.req('POST', '/v1/envs/nothing-here/stop')).status).toBe(404);
    const [entry] = (await audit('?resource=env')).items;
    // The id a 404 named may be another organization's: it is not kept.
    expect(entry).toMatchObject({
      action: 'stopEnv',
      outcome: 'failed',
      error_code: 'not_found',
      resource: { kind: 'env', id: null },
    });
  });

  it('records logins by username and never keeps a password', async () => {
    h = await createHarness();
    const wrong = 'not the password 42';
    const res = await h.req('POST', '/v1/auth/login', { username: 'admin', password: wrong }, null);
    expect(res.status).toBe(401);
    const ok = await h.req(
      'POST',
      '/v1/auth/login',
      { username: 'admin', password: h.adminPassword },
      null,
    );
    expect(ok.status).toBe(200);
    const { items } = await audit('?resource=session');
    expect(items.map((e) => [e.action, e.outcome, e.actor.name])).toEqual([
      ['login', 'succeeded', 'admin'],
      ['login', 'failed', 'admin'],
    ]);
    const rows = await h.database.db.select().from(h.database.t.auditEvents);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(wrong);
    expect(stored).not.toContain(h.adminPassword);
    expect(stored).not.toContain((await json<{ token: string }>(ok)).token);
  });

  it('records the reaper expiring an environment and a host going down, as the system', async () => {
    h = await createHarness({ manualClock: true });
    await fleetWithEnv('short', 60);
    h.clock?.advance(61_000);
    await h.core.reap();
    // The agent stays silent past the down threshold.
    h.clock?.advance(h.core.ctx.config.downAfterMs + 1000);
    await h.core.sweep();
    await h.idle();
    const { items } = await audit('?actor=reaper');
    expect(items).toEqual([
      expect.objectContaining({
        action: 'reaper.expire',
        actor: expect.objectContaining({ kind: 'system', name: 'reaper' }),
        resource: { kind: 'env', id: 'short' },
      }),
    ]);
    const liveness = await audit('?resource=host:host_audit00000001&actor=liveness');
    expect(liveness.items.map((e) => e.action)).toContain('liveness.down');
  });

  it('shows each organization only its own entries; super-admins see all, or one org', async () => {
    h = await createHarness();
    const org = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'Alpha' }));
    const password = 'a long password 123';
    await h.req('POST', '/v1/users', {
      username: 'alpha-admin',
      password,
      role: 'org_admin',
      org_id: org.id,
    });
    const login = await h.req(
      'POST',
      '/v1/auth/login',
      { username: 'alpha-admin', password },
      null,
    );
    const { token } = await json<{ token: string }>(login);
    const key = await h.req('POST', '/v1/api-keys', { name: 'alpha-ci' }, token);
    expect(key.status).toBe(201);
    const mine = await audit('', token);
    // The user made in Alpha is Alpha's to see, by whoever made it; the organization's creation
    // (and anything else of no organization) is for super-admins only.
    expect(mine.items.map((e) => [e.action, e.actor.name])).toEqual([
      ['createApiKey', 'alpha-admin'],
      ['createUser', 'admin'],
    ]);
    const all = await audit();
    expect(all.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['createOrg', 'createUser', 'createApiKey']),
    );
    expect((await audit(`?org=${org.id}`)).items.map((e) => e.action)).toEqual([
      'createApiKey',
      'createUser',
    ]);
  });

  it('deletes entries past the retention on the reaper pass', async () => {
    h = await createHarness({ manualClock: true, config: { auditRetentionDays: 1 } });
    expect((await h.req('POST', '/v1/orgs', { name: 'Old' })).status).toBe(201);
    h.clock?.advance(2 * 86_400_000);
    expect((await h.req('POST', '/v1/orgs', { name: 'New' })).status).toBe(201);
    await h.core.reap();
    expect((await audit('?resource=org')).items).toHaveLength(1);
  });

  it('refuses a malformed filter with a 400', async () => {
    h = await createHarness();
    const res = await h.req('GET', '/v1/audit?since=yesterday-ish');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('since');
  });
});
