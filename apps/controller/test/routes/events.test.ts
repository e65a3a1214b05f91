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
