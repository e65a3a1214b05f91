import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Image } from '@apiary/protocol';
import { createMemoryLogger } from '@apiary/server-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerConfig } from '../../src/config.js';
import { createControllerCore } from '../../src/core.js';
import { STORE_KINDS, sharedS3Server } from '../helpers/blob-stores.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { tempDir } from '../helpers/temp.js';

let h: Harness;
let second: Awaited<ReturnType<typeof createControllerCore>> | undefined;
afterEach(async () => {
  await second?.stop();
  second = undefined;
  await h?.close();
});

let prefixes = 0;
/** One store two controllers name: a directory outside both data dirs, or a bucket prefix. */
async function sharedStore(kind: (typeof STORE_KINDS)[number]) {
  if (kind === 'dir') {
    const dir = join(tempDir('shared-blobs'), 'blobs');
    return {
      config: { blobStore: { kind: 'dir', dir } } satisfies Partial<ControllerConfig>,
      names: async () => readdirSync(dir).sort(),
    };
  }
  const server = await sharedS3Server();
  const prefix = `shared${++prefixes}/`;
  return {
    config: server.config(prefix),
    names: async () => (await server.keys(prefix)).map((k) => k.slice(prefix.length)),
  };
}

/** A second controller on the first one's database and blob store, with a data dir of its own. */
async function secondController(config: Partial<ControllerConfig>) {
  second = await createControllerCore({
    config: {
      ...h.core.ctx.config,
      ...config,
      dataDir: tempDir('ctl-second'),
      // Controllers of one database share its secret key (a different one is refused).
      secretKeyFile: join(h.dataDir, 'secret.key'),
    },
    database: h.database,
    log: createMemoryLogger('warn').log,
    fetch: h.network.fetch,
    resolveHost: h.network.resolve,
    processMetrics: false,
  });
  return second;
}

describe.each(STORE_KINDS)('controllers sharing a %s blob store', (kind) => {
  it('take the same image at once from two controllers: both succeed, one blob', async () => {
    const store = await sharedStore(kind);
    h = await createHarness({ config: store.config });
    const b = await secondController(store.config);
    const content = Buffer.alloc(3 * 1024 * 1024).map((_, i) => (i * 7) % 251);
    const post = (app: typeof b.app) =>
      app.request('/v1/images?name=twice', {
        method: 'POST',
        headers: { authorization: `Bearer ${h.adminKey}` },
        body: content,
      });
    const [ra, rb] = await Promise.all([post(h.core.app), post(b.app)]);
    expect([ra.status, rb.status]).toContain(201);
    expect([ra.status, rb.status].every((s) => s === 200 || s === 201)).toBe(true);
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    expect(await store.names()).toEqual([digest.slice(7)]);
  });

  it('serve an agent from either controller whichever took the upload', async () => {
    const store = await sharedStore(kind);
    h = await createHarness({ config: store.config });
    const b = await secondController(store.config);
    const { credential } = await h.addAgent({ hostId: 'host_shared00001' });
    const res = await h.core.app.request('/v1/images?name=one', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}` },
      body: 'bytes uploaded to the first controller',
    });
    const image = await json<Image>(res);
    const pulled = await b.app.request(`/v1/internal/images/${image.digest}`, {
      headers: { authorization: `Bearer ${credential}`, range: 'bytes=6-' },
    });
    expect(pulled.status).toBe(206);
    expect(await pulled.text()).toBe('uploaded to the first controller');
    // Deleted through the second: gone for both.
    expect(
      (
        await b.app.request(`/v1/images/${image.digest}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${h.adminKey}` },
        })
      ).status,
    ).toBe(200);
    expect(await store.names()).toEqual([]);
  });
});
