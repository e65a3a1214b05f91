import { controllerRoutes, SCOPES } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../helpers/harness.js';

/*
 * Issue 11, finding 3 and part of 9: what a key can do is bounded by its user as the user is
 * now, by its expiry and by its scopes; dead keys do not keep an organization alive.
 */

let h: Harness;
afterEach(async () => h?.close());

const PASSWORD = 'a long password 123';

async function orgWithUser(role: 'org_admin' | 'member') {
  const org = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'acme' }));
  const user = await json<{ id: string }>(
    await h.req('POST', '/v1/users', {
      username: 'alice',
      password: PASSWORD,
      role,
      org_id: org.id,
    }),
  );
  const session = await json<{ token: string }>(
    await h.req('POST', '/v1/auth/login', { username: 'alice', password: PASSWORD }, null),
  );
  return { orgId: org.id, userId: user.id, session: session.token };
}

async function createKey(token: string, body: Record<string, unknown> = {}) {
  const res = await h.req('POST', '/v1/api-keys', { name: 'k', ...body }, token);
  expect(res.status).toBe(201);
  return json<{ id: string; key: string; scopes: string[] | null; role: string }>(res);
}

describe('an API key', () => {
  it("does no more than its user's current role: a demoted admin's key is a member's", async () => {
    h = await createHarness();
    const alice = await orgWithUser('org_admin');
    const old = await createKey(alice.session);
    expect(old.role).toBe('org_admin');
    const demote = await h.req('PATCH', `/v1/users/${alice.userId}`, { role: 'member' });
    expect(demote.status).toBe(200);

    expect((await json(await h.req('GET', '/v1/auth/whoami', undefined, old.key))).role).toBe(
      'member',
    );
    const license = await h.req('POST', '/v1/license-keys', { name: 'stolen' }, old.key);
    expect(license.status).toBe(403);
    const admin = await h.req(
      'POST',
      '/v1/users',
      { username: 'mallory', password: PASSWORD, role: 'org_admin' },
      old.key,
    );
    expect(admin.status).toBe(403);
    const adminKey = await h.req(
      'POST',
      '/v1/api-keys',
      { name: 'up', role: 'org_admin' },
      old.key,
    );
    expect(adminKey.status).toBe(403);
    const users = await json<{ items: Array<{ username: string }> }>(
      await h.req('GET', '/v1/users'),
    );
    expect(users.items.map((u) => u.username).sort()).toEqual(['admin', 'alice']);
  });

  it('stops working with every session of its user the moment the user is disabled', async () => {
    h = await createHarness();
    const alice = await orgWithUser('member');
    const keys = [await createKey(alice.session), await createKey(alice.session)];
    const disable = await h.req('PATCH', `/v1/users/${alice.userId}`, { disabled: true });
    expect(disable.status).toBe(200);
    for (const token of [alice.session, ...keys.map((k) => k.key)]) {
      const res = await h.req('GET', '/v1/envs', undefined, token);
      expect(res.status).toBe(401);
      if (token !== alice.session) expect((await json(res)).msg).toMatch(/alice is disabled/);
    }
  });

  it('expires, and says so', async () => {
    h = await createHarness({ manualClock: true });
    const key = await createKey(h.adminKey, { expires_in: 60 });
    expect((await h.req('GET', '/v1/envs', undefined, key.key)).status).toBe(200);
    h.clock?.advance(61_000);
    const res = await h.req('GET', '/v1/envs', undefined, key.key);
    expect(res.status).toBe(401);
    expect((await json(res)).msg).toMatch(new RegExp(`API key ${key.id} expired at \\d{4}-`));
  });

  it('is refused with 403 on a route outside its scopes, naming the scope needed', async () => {
    h = await createHarness();
    const reader = await createKey(h.adminKey, { scopes: ['envs:read'] });
    expect(reader.scopes).toEqual(['envs:read']);
    const whoami = await json(await h.req('GET', '/v1/auth/whoami', undefined, reader.key));
    expect(whoami.scopes).toEqual(['envs:read']);
    expect((await h.req('GET', '/v1/envs', undefined, reader.key)).status).toBe(200);
    const create = await h.req('POST', '/v1/envs', { vms: [{ image: 'x' }] }, reader.key);
    expect(create.status).toBe(403);
    expect((await json(create)).msg).toMatch(/limited to envs:read.*needs the scope envs:write/);
    expect((await h.req('GET', '/v1/hosts', undefined, reader.key)).status).toBe(403);
    expect((await h.req('GET', '/v1/license-keys', undefined, reader.key)).status).toBe(403);
    // A write scope includes reading the same resource.
    const writer = await createKey(h.adminKey, { scopes: ['hosts:admin'] });
    expect((await h.req('GET', '/v1/hosts', undefined, writer.key)).status).toBe(200);
    expect((await h.req('GET', '/v1/envs', undefined, writer.key)).status).toBe(403);
  });

  it('checks scopes before reading the body', async () => {
    h = await createHarness();
    const reader = await createKey(h.adminKey, { scopes: ['envs:read'] });
    const res = await h.req('POST', '/v1/envs', '{not json', reader.key);
    expect(res.status).toBe(403);
  });

  it('makes keys within its own scopes only, and a scope never widens a role', async () => {
    h = await createHarness();
    const minter = await createKey(h.adminKey, { scopes: ['tenancy:admin'] });
    const child = await createKey(minter.key);
    expect(child.scopes).toEqual(['tenancy:admin']);
    const wider = await h.req(
      'POST',
      '/v1/api-keys',
      { name: 'w', scopes: ['hosts:admin'] },
      minter.key,
    );
    expect(wider.status).toBe(403);
    expect((await json(wider)).msg).toMatch(/hosts:admin/);

    const alice = await orgWithUser('member');
    const member = await createKey(alice.session, { scopes: ['hosts:admin'] });
    const add = await h.req('POST', '/v1/hosts', { addr: 'http://x.test:9100' }, member.key);
    expect(add.status).toBe(403);
  });

  it('refuses an unknown scope at creation', async () => {
    h = await createHarness();
    const res = await h.req('POST', '/v1/api-keys', { name: 'k', scopes: ['envs:delete'] });
    expect(res.status).toBe(400);
  });
});

describe('route descriptors', () => {
  it('name a known scope on every user route but those about the caller', () => {
    const unscoped = Object.entries(controllerRoutes)
      .filter(([, r]) => r.auth === 'user' && !('scope' in r && r.scope))
      .map(([name]) => name);
    expect(unscoped.sort()).toEqual(['logout', 'whoami']);
    for (const r of Object.values(controllerRoutes)) {
      if ('scope' in r && r.scope) expect(Object.keys(SCOPES)).toContain(r.scope);
    }
  });
});

describe('deleting an organization', () => {
  it('is refused while the organization has box registries, naming them', async () => {
    h = await createHarness();
    const org = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'boxes' }));
    const { registries } = h.core.ctx.t;
    await h.core.ctx.db.insert(registries).values({
      id: 'reg_keybounds0001',
      orgId: org.id,
      name: 'acme',
      url: 'https://boxes.example.org/',
      tokenEnc: null,
      createdAt: Date.now(),
    });
    const blocked = await h.req('DELETE', `/v1/orgs/${org.id}`);
    expect(blocked.status).toBe(409);
    expect((await json(blocked)).msg).toMatch(/1 box registries/);
    await h.core.ctx.db.delete(registries);
    expect((await h.req('DELETE', `/v1/orgs/${org.id}`)).status).toBe(200);
  });

  it('is not blocked by revoked or expired keys, and removes them', async () => {
    h = await createHarness({ manualClock: true });
    const org = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'gone' }));
    const license = await json<{ id: string }>(
      await h.req('POST', '/v1/license-keys', { name: 'l', org_id: org.id }),
    );
    const revoked = await createKey(h.adminKey, { role: 'org_admin', org_id: org.id });
    await createKey(h.adminKey, { role: 'member', org_id: org.id, expires_in: 60 });
    expect((await h.req('DELETE', `/v1/license-keys/${license.id}`)).status).toBe(200);
    expect((await h.req('DELETE', `/v1/api-keys/${revoked.id}`)).status).toBe(200);

    // A live key still holds it.
    const blocked = await h.req('DELETE', `/v1/orgs/${org.id}`);
    expect(blocked.status).toBe(409);
    expect((await json(blocked)).msg).toMatch(/1 live API keys/);

    h.clock?.advance(61_000);
    expect((await h.req('DELETE', `/v1/orgs/${org.id}`)).status).toBe(200);
    const { apiKeys, licenseKeys } = h.core.ctx.t;
    const keys = await h.core.ctx.db.select().from(apiKeys).where(eq(apiKeys.orgId, org.id));
    const licenses = await h.core.ctx.db
      .select()
      .from(licenseKeys)
      .where(eq(licenseKeys.orgId, org.id));
    expect(keys.length + licenses.length).toBe(0);
  });
});
