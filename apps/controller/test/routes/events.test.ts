import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

/** Reads an SSE response until `until` matches the text received, or the time runs out. */
async function readEvents(res: Response, until: RegExp, ms = 3000): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !until.test(text)) {
    const chunk = await Promise.race([
      reader.read(),
      new Promise<{ done: true; value: undefined }>((r) =>
        setTimeout(() => r({ done: true, value: undefined }), deadline - Date.now()),
      ),
    ]);
    if (chunk.done) break;
    text += decoder.decode(chunk.value);
  }
  await reader.cancel();
  return text;
}

describe('GET /v1/events', () => {
  it('streams state changes to the organization they belong to, and only to it', async () => {
    h = await createHarness();
    await h.addAgent({ hostId: 'host_events000001' });
    await uploadImage(h, 'img');
    const org = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'Other' }));
    const other = await json<{ key: string }>(
      await h.req('POST', '/v1/api-keys', { name: 'o', role: 'member', org_id: org.id }),
    );
    const admin = await h.req('GET', '/v1/events');
    expect(admin.headers.get('content-type')).toMatch(/text\/event-stream/);
    const outsider = await h.req('GET', '/api/events', undefined, other.key);
    await h.req('POST', '/v1/envs', {
      id: 'watched',
      ssh_keys: [sshKey()],
      vms: [{ image: 'img' }],
    });
    await h.idle();
    const seen = await readEvents(admin, /"state":"active"/);
    expect(seen).toContain('event: hello');
    expect(seen).toMatch(
      /event: env\.state\ndata: \{"id":"watched","org_id":"[^"]+","state":"creating"\}/,
    );
    expect(seen).toMatch(/event: vm\.state\ndata: \{"id":"watched-0"/);
    expect(seen).toMatch(/"id":"watched","org_id":"[^"]+","state":"active"/);
    const theirs = await readEvents(outsider, /watched/, 300);
    expect(theirs).toContain('event: hello');
    expect(theirs).not.toContain('watched');
  });

  it('needs a credential', async () => {
    h = await createHarness();
    expect((await h.req('GET', '/v1/events', undefined, null)).status).toBe(401);
  });
});

/** Reads until the stream ends; resolves 'ended', or 'open' if it is still going after `ms`. */
async function endsWithin(res: Response, ms: number): Promise<'ended' | 'open'> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now())),
      ]);
      if (chunk === null) return 'open';
      if (chunk.done) return 'ended';
    }
    return 'open';
  } finally {
    await reader.cancel().catch(() => {});
  }
}

describe('event streams of stale callers', () => {
  it('ends the stream of a revoked API key at the next credential check', async () => {
    h = await createHarness();
    const key = await json<{ id: string; key: string }>(
      await h.req('POST', '/v1/api-keys', { name: 'watcher', role: 'member' }),
    );
    const res = await h.req('GET', '/v1/events', undefined, key.key);
    expect(res.status).toBe(200);
    expect(h.core.eventStreams.size).toBe(1);
    await h.req('DELETE', `/v1/api-keys/${key.id}`);
    expect(await h.core.checkCredentials()).toBe(1);
    expect(await endsWithin(res, 2000)).toBe('ended');
    expect(h.core.eventStreams.size).toBe(0);
    expect(h.core.ctx.events.size).toBe(0);
  });

  it("ends a session's stream once its user is disabled", async () => {
    h = await createHarness();
    const user = await json<{ id: string }>(
      await h.req('POST', '/v1/users', {
        username: 'watcher',
        password: 'a long password 123',
        role: 'member',
      }),
    );
    const login = await json<{ token: string }>(
      await h.req(
        'POST',
        '/v1/auth/login',
        { username: 'watcher', password: 'a long password 123' },
        null,
      ),
    );
    const res = await h.req('GET', '/v1/events', undefined, login.token);
    await h.req('PATCH', `/v1/users/${user.id}`, { disabled: true });
    await h.core.checkCredentials();
    expect(await endsWithin(res, 2000)).toBe('ended');
  });

  it('drops a client that does not read instead of queueing for it without bound', async () => {
    h = await createHarness();
    const res = await h.req('GET', '/v1/events');
    expect(res.status).toBe(200);
    // Nobody reads `res`: every event beyond what the stream holds waits in its queue.
    for (let i = 0; i < 2_000; i++) {
      h.core.ctx.events.publish({ type: 'host.updated', orgId: null, data: { id: `h${i}` } });
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(h.core.ctx.events.size).toBe(0);
    expect(h.core.eventStreams.size).toBe(0);
    await res.body?.cancel().catch(() => {});
  });
});

describe('event streams per tenant', () => {
  it('bounds the streams one user holds (429 with Retry-After) without touching others', async () => {
    h = await createHarness();
    const org = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'Other' }));
    const session = async (username: string, org_id?: string) => {
      const password = 'a long password 123';
      await h.req('POST', '/v1/users', { username, password, role: 'member', org_id });
      const login = await h.req('POST', '/v1/auth/login', { username, password }, null);
      return { key: (await json<{ token: string }>(login)).token };
    };
    const mine = await session('mine');
    const theirs = await session('theirs', org.id);
    const open: Response[] = [];
    for (let i = 0; i < 16; i++) {
      const res = await h.req('GET', '/v1/events', undefined, mine.key);
      expect(res.status).toBe(200);
      open.push(res);
    }
    const refused = await h.req('GET', '/v1/events', undefined, mine.key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect((await json<{ msg: string }>(refused)).msg).toMatch(/too many open event streams/);
    const other = await h.req('GET', '/v1/events', undefined, theirs.key);
    expect(other.status).toBe(200);
    // Closing one gives its place back.
    await open.pop()?.body?.cancel();
    await new Promise((r) => setTimeout(r, 20));
    const again = await h.req('GET', '/v1/events', undefined, mine.key);
    expect(again.status).toBe(200);
    for (const res of [...open, other, again]) await res.body?.cancel().catch(() => {});
  });
});
