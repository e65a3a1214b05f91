import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrapIfEmpty } from '../../src/services/auth/bootstrap.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';

let h: Harness;
afterEach(async () => h?.close());

describe('bootstrap', () => {
  it('writes the first-start secrets to bootstrap.json with mode 0600 and never again', async () => {
    h = await createHarness();
    const file = join(h.dataDir, 'bootstrap.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(content).sort()).toEqual([
      'adminApiKey',
      'adminPassword',
      'adminUser',
      'licenseKey',
    ]);
    expect(content.adminUser).toBe('admin');
    expect(content.adminApiKey).toBe(h.adminKey);
    expect(await bootstrapIfEmpty(h.core.ctx, h.dataDir)).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify(content, null, 2) + '\n');
  });

  it('stores no secret in clear in the database', async () => {
    h = await createHarness();
    const { users, apiKeys, licenseKeys } = h.core.ctx.t;
    const dump = JSON.stringify([
      await h.core.ctx.db.select().from(users),
      await h.core.ctx.db.select().from(apiKeys),
      await h.core.ctx.db.select().from(licenseKeys),
    ]);
    expect(dump).not.toContain(h.adminKey);
    expect(dump).not.toContain(h.licenseKey);
    expect(dump).not.toContain(h.adminPassword);
  });
});

describe('sessions and API keys', () => {
  it('logs in with the bootstrap password, answers whoami, and logs out', async () => {
    h = await createHarness();
    const bad = await h.req(
      'POST',
      '/v1/auth/login',
      { username: 'admin', password: 'wrong-password' },
      null,
    );
    expect(bad.status).toBe(401);
    const login = await json<{ token: string; user: { username: string } }>(
      await h.req('POST', '/v1/auth/login', { username: 'admin', password: h.adminPassword }, null),
    );
    expect(login.token).toMatch(/^aps_/);
    const who = await json(await h.req('GET', '/v1/auth/whoami', undefined, login.token));
    expect(who).toMatchObject({
      via: 'session',
      role: 'super_admin',
      user: { username: 'admin' },
      org: null,
    });
    expect((await h.req('POST', '/v1/auth/logout', undefined, login.token)).status).toBe(200);
    expect((await h.req('GET', '/v1/auth/whoami', undefined, login.token)).status).toBe(401);
  });

  it('shows a new API key once, lists it without the key, and stops accepting it once revoked', async () => {
    h = await createHarness();
    const created = await json<{ id: string; key: string; prefix: string }>(
      await h.req('POST', '/v1/api-keys', { name: 'ci', role: 'member' }),
    );
    expect(created.key).toMatch(/^apy_/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const list = await json<{ items: Array<Record<string, unknown>> }>(
      await h.req('GET', '/v1/api-keys'),
    );
    expect(JSON.stringify(list)).not.toContain(created.key);
    expect((await h.req('GET', '/v1/auth/whoami', undefined, created.key)).status).toBe(200);
    expect((await h.req('DELETE', `/v1/api-keys/${created.id}`)).status).toBe(200);
    expect((await h.req('GET', '/v1/auth/whoami', undefined, created.key)).status).toBe(401);
  });

  it('stops accepting an expired key', async () => {
    h = await createHarness({ manualClock: true });
    const created = await json<{ key: string; expires_at: string }>(
      await h.req('POST', '/v1/api-keys', { name: 'short', expires_in: 60 }),
    );
    expect(created.expires_at).not.toBeNull();
    expect((await h.req('GET', '/v1/auth/whoami', undefined, created.key)).status).toBe(200);
    h.clock?.advance(61_000);
    expect((await h.req('GET', '/v1/auth/whoami', undefined, created.key)).status).toBe(401);
  });

  it('never creates a key more powerful than its creator', async () => {
    h = await createHarness();
    const member = await json<{ key: string }>(
      await h.req('POST', '/v1/api-keys', { name: 'm', role: 'member' }),
    );
    const res = await h.req('POST', '/v1/api-keys', { name: 'x', role: 'org_admin' }, member.key);
    expect(res.status).toBe(403);
  });

  it('lets localhost in without a credential only when the bypass is configured', async () => {
    h = await createHarness();
    const local = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
    const off = await h.core.app.request('/v1/auth/whoami', {}, local);
    expect(off.status).toBe(401);
    await h.close();
    h = await createHarness({ config: { localhostBypass: true } });
    const on = await h.core.app.request('/v1/auth/whoami', {}, local);
    expect(await json(on)).toMatchObject({ via: 'localhost', role: 'super_admin' });
    const remote = await h.core.app.request(
      '/v1/auth/whoami',
      {},
      { incoming: { socket: { remoteAddress: '10.1.1.1' } } },
    );
    expect(remote.status).toBe(401);
    // DNS rebinding: loopback peer, but a page's own name in the Host header.
    const rebound = await h.core.app.request('http://evil.example:9200/v1/auth/whoami', {}, local);
    expect(rebound.status).toBe(401);
    const byAddress = await h.core.app.request('http://127.0.0.1:9200/v1/auth/whoami', {}, local);
    expect(byAddress.status).toBe(200);
    // A bad token is never rescued by the bypass.
    const badToken = await h.core.app.request(
      '/v1/auth/whoami',
      { headers: { authorization: 'Bearer apy_nope_nope_nope_nope' } },
      local,
    );
    expect(badToken.status).toBe(401);
  });

  it('never writes a password or key into the log', async () => {
    h = await createHarness();
    await h.req('POST', '/v1/auth/login', { username: 'admin', password: h.adminPassword }, null);
    const created = await json<{ key: string }>(await h.req('POST', '/v1/api-keys', { name: 'k' }));
    await h.req('GET', '/v1/hosts', undefined, created.key);
    await h.addAgent({ hostId: 'host_logcheck0001' });
    const log = h.logLines.join('\n');
    for (const secret of [
      h.adminPassword,
      h.adminKey,
      created.key,
      h.licenseKey,
      'wh_0123456789abcdef',
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe('users, organizations and license keys', () => {
  it('creates an organization and an org admin who manages only that organization', async () => {
    h = await createHarness();
    const org = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'Acme' }));
    const user = await json<{ id: string; org_id: string }>(
      await h.req('POST', '/v1/users', {
        username: 'olga',
        password: 'a long password 1',
        role: 'org_admin',
        org_id: org.id,
      }),
    );
    expect(user.org_id).toBe(org.id);
    const login = await json<{ token: string }>(
      await h.req(
        'POST',
        '/v1/auth/login',
        { username: 'olga', password: 'a long password 1' },
        null,
      ),
    );
    const users = await json<{ items: Array<{ username: string }> }>(
      await h.req('GET', '/v1/users', undefined, login.token),
    );
    expect(users.items.map((u) => u.username)).toEqual(['olga']);
    expect((await h.req('POST', '/v1/orgs', { name: 'Other' }, login.token)).status).toBe(403);
    const lic = await json<{ key: string; org_id: string }>(
      await h.req('POST', '/v1/license-keys', { name: 'acme' }, login.token),
    );
    expect(lic.org_id).toBe(org.id);
    expect(lic.key).toMatch(/^apl_/);
    expect((await h.req('PATCH', `/v1/users/${user.id}`, { disabled: true })).status).toBe(200);
    expect((await h.req('GET', '/v1/auth/whoami', undefined, login.token)).status).toBe(401);
  });

  it('refuses to delete an organization that still has members', async () => {
    h = await createHarness();
    const org = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'Busy' }));
    await h.req('POST', '/v1/users', {
      username: 'bob',
      password: 'a long password 2',
      org_id: org.id,
    });
    const res = await h.req('DELETE', `/v1/orgs/${org.id}`);
    expect(res.status).toBe(409);
    expect((await json(res)).msg).toMatch(/still has 1 users/);
  });

  it('revokes license keys so hosts can no longer register with them', async () => {
    h = await createHarness();
    const lic = await json<{ id: string; key: string }>(
      await h.req('POST', '/v1/license-keys', { name: 'temp' }),
    );
    await h.addAgent({ hostId: 'host_lic00000001', licenseKey: lic.key });
    const list = await json<{ items: Array<{ id: string; hosts: number }> }>(
      await h.req('GET', '/v1/license-keys'),
    );
    expect(list.items.find((l) => l.id === lic.id)?.hosts).toBe(1);
    await h.req('DELETE', `/v1/license-keys/${lic.id}`);
    await expect(h.addAgent({ hostId: 'host_lic00000002', licenseKey: lic.key })).rejects.toThrow(
      /401/,
    );
  });
});
