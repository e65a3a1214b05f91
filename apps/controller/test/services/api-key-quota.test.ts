import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY_LIMITS } from '../../src/services/auth/api-key-quota.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';

/*
 * API keys are bounded per user and per organization: each key can hold its own console tickets
 * and event streams, so unbounded keys would make every per-key bound meaningless.
 */

let h: Harness;
afterEach(async () => h?.close());

async function member(username: string) {
  const password = 'a long password 123';
  await h.req('POST', '/v1/users', { username, password, role: 'member' });
  const login = await h.req('POST', '/v1/auth/login', { username, password }, null);
  return (await json<{ token: string }>(login)).token;
}

const newKey = (token: string, name = 'k') => h.req('POST', '/v1/api-keys', { name }, token);

describe('API key quotas', () => {
  it('refuses a member more than 100 active keys; revoking one makes room', async () => {
    h = await createHarness();
    const token = await member('hoarder');
    const ids: string[] = [];
    for (let i = 0; i < API_KEY_LIMITS.perUser; i++) {
      const res = await newKey(token, `k${i}`);
      expect(res.status).toBe(201);
      ids.push((await json<{ id: string }>(res)).id);
    }
    const refused = await newKey(token);
    expect(refused.status).toBe(409);
    expect((await json<{ msg: string }>(refused)).msg).toMatch(/you hold 100 active API keys/);
    // Another member of the same organization is not affected.
    expect((await newKey(await member('neighbour'))).status).toBe(201);
    await h.req('DELETE', `/v1/api-keys/${ids[0]}`, undefined, token);
    expect((await newKey(token)).status).toBe(201);
  });

  it('refuses an organization more than 1000 active keys', async () => {
    h = await createHarness();
    const token = await member('late');
    const { users, apiKeys } = h.core.ctx.t;
    const [user] = await h.core.ctx.db.select().from(users).where(eq(users.username, 'late'));
    const now = Date.now();
    await h.core.ctx.db.insert(apiKeys).values(
      Array.from({ length: API_KEY_LIMITS.perOrg }, (_, i) => ({
        id: `key_filler${i}`,
        name: 'filler',
        prefix: `apy_f${i}`,
        keyHash: 'x',
        role: 'member' as const,
        orgId: user?.orgId ?? null,
        userId: null,
        createdAt: now,
      })),
    );
    const refused = await newKey(token);
    expect(refused.status).toBe(409);
    expect((await json<{ msg: string }>(refused)).msg).toMatch(/organization holds 1000/);
  });
});
