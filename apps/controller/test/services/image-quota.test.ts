import type { ErrorBody, OrgUsage } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerConfig } from '../../src/config.js';
import type { FreeSpace } from '../../src/services/images/disk-floor.js';
import {
  STORE_KINDS,
  type StoreKind,
  type StoreUnderTest,
  storeUnderTest,
} from '../helpers/blob-stores.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

const MiB = 1024 * 1024;
let store: StoreUnderTest;
const blobs = () => store.names(h.dataDir);

/** A controller whose blobs are in a fresh store of `kind`. */
async function harness(kind: StoreKind, config: Partial<ControllerConfig>, freeSpace?: FreeSpace) {
  store = await storeUnderTest(kind);
  h = await createHarness({ config: { ...store.config, ...config }, freeSpace });
  return h;
}

/** An upload whose length is not declared: the bytes arrive in chunks, counted as read. */
function streamedUpload(total: number, chunk = 64 * 1024) {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(chunk, total - sent);
      sent += n;
      controller.enqueue(new Uint8Array(n).fill(sent % 251));
    },
  });
  const request = (token: string) =>
    h.core.app.request('/v1/images?name=streamed', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body,
      duplex: 'half',
    } as RequestInit);
  return { request, sent: () => sent };
}

async function orgAdmin() {
  const org = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'Quota Org' }));
  await h.req('POST', '/v1/users', {
    username: 'quota-admin',
    password: 'a long password 123',
    role: 'org_admin',
    org_id: org.id,
  });
  const login = await json<{ token: string }>(
    await h.req(
      'POST',
      '/v1/auth/login',
      { username: 'quota-admin', password: 'a long password 123' },
      null,
    ),
  );
  return { orgId: org.id, token: login.token };
}

describe.each(STORE_KINDS)("an organization's image quota (%s blob store)", (kind) => {
  it('refuses what would exceed it, whether declared or streamed, and keeps no partial file', async () => {
    await harness(kind, { orgImageQuotaBytes: 10_000 });
    const { orgId, token } = await orgAdmin();
    await uploadImage(h, 'first', 'a'.repeat(6000), token);
    // Declared length: refused before a byte is read.
    const declared = await h.core.app.request('/v1/images?name=second', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: 'b'.repeat(6000),
    });
    expect(declared.status).toBe(413);
    const body = await json<ErrorBody>(declared);
    expect(body.code).toBe('quota_exceeded');
    expect(body.details).toMatchObject({ used_bytes: 6000, quota_bytes: 10_000 });
    // No declared length: stopped as the bytes arrive, long before the end.
    const streamed = streamedUpload(8 * MiB);
    const res = await streamed.request(token);
    expect(res.status).toBe(413);
    expect(streamed.sent()).toBeLessThan(8 * MiB);
    expect(await blobs()).toHaveLength(1);
    const usage = await json<OrgUsage>(
      await h.req('GET', `/v1/orgs/${orgId}/usage`, undefined, token),
    );
    expect(usage).toEqual({
      org_id: orgId,
      images: { count: 1, bytes: 6000, quota_bytes: 10_000, quota_is_default: true },
    });
  });

  it('is set per organization by a super-admin and seen by its members only', async () => {
    await harness(kind, { orgImageQuotaBytes: 1000 });
    const { orgId, token } = await orgAdmin();
    expect(
      (await h.req('PUT', `/v1/orgs/${orgId}/image-quota`, { quota_bytes: 9 }, token)).status,
    ).toBe(403);
    const set = await h.req('PUT', `/v1/orgs/${orgId}/image-quota`, { quota_bytes: 50_000 });
    expect(set.status).toBe(200);
    expect((await json<OrgUsage>(set)).images).toMatchObject({
      quota_bytes: 50_000,
      quota_is_default: false,
    });
    await uploadImage(h, 'big', 'c'.repeat(20_000), token);
    // Another organization's usage is not even said to exist.
    const all = await json<{ items: Array<{ id: string; name: string }> }>(
      await h.req('GET', '/v1/orgs'),
    );
    const other = all.items.find((o) => o.id !== orgId)?.id;
    expect((await h.req('GET', `/v1/orgs/${other}/usage`, undefined, token)).status).toBe(404);
    const back = await h.req('PUT', `/v1/orgs/${orgId}/image-quota`, { quota_bytes: null });
    expect((await json<OrgUsage>(back)).images).toMatchObject({
      bytes: 20_000,
      quota_bytes: 1000,
      quota_is_default: true,
    });
  });
});

describe('the free-space floor under the database', () => {
  it('refuses an upload that would take the disk below the floor, before reading it', async () => {
    const floor = 100 * MiB;
    await harness('dir', { minFreeDiskBytes: floor }, async () => floor + MiB);
    const res = await h.core.app.request('/v1/images?name=img', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}`, 'content-length': String(2 * MiB) },
      body: new Uint8Array(2 * MiB),
    });
    expect(res.status).toBe(507);
    const body = await json<ErrorBody>(res);
    expect(body.code).toBe('insufficient_storage');
    expect(body.msg).toMatch(/low on disk space/);
    expect(await blobs()).toEqual([]);
  });

  it('stops an upload part-way when the disk fills up under it, and removes the partial file', async () => {
    const floor = 100 * MiB;
    let looks = 0;
    // Plenty at first; then something else fills the disk.
    await harness('dir', { minFreeDiskBytes: floor }, async () =>
      ++looks <= 2 ? floor + 10_000 * MiB : floor - MiB,
    );
    const streamed = streamedUpload(64 * MiB);
    const res = await streamed.request(h.adminKey);
    expect(res.status).toBe(507);
    expect(streamed.sent()).toBeLessThan(64 * MiB);
    expect(await blobs()).toEqual([]);
  });

  it("does not count an object store's bytes against the local disk, but refuses when it is already below", async () => {
    const floor = 100 * MiB;
    let free = floor + MiB;
    await harness('s3', { minFreeDiskBytes: floor }, async () => free);
    // 2 MiB would cross the floor on a local disk; in the bucket they take none of it.
    const upload = (name: string) =>
      h.core.app.request(`/v1/images?name=${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.adminKey}`, 'content-length': String(2 * MiB) },
        body: new Uint8Array(2 * MiB).fill(name.length),
      });
    expect((await upload('fits')).status).toBe(201);
    expect(await blobs()).toHaveLength(1);
    // The database still gets a record: a disk already under the floor refuses the upload.
    free = floor - 1;
    const res = await upload('refused');
    expect(res.status).toBe(507);
    expect(await blobs()).toHaveLength(1);
  });
});
