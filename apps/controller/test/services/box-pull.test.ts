import { createHash } from 'node:crypto';
import type { Registry, RegistryBoxes } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerConfig } from '../../src/config.js';
import { type FileServer, startFileServer } from '../helpers/file-server.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { intakeOutcome } from '../helpers/intake-op.js';
import { patternedDisk } from '../helpers/qemu.js';
import { NOTHING, storedCounts } from '../helpers/stored.js';
import { type BoxEntry, buildBox, catalog, hexDigest } from '../helpers/vagrant-box.js';

/*
 * Pulling Vagrant boxes from a registry served by a local HTTP server in the test, speaking the
 * Vagrant box catalog format, with `.box` archives built here. Every refusal leaves no image
 * record, no blob and nothing staged.
 */

let h: Harness | undefined;
let server: FileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await h?.close();
  h = undefined;
});

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const TOKEN = 'registry-token-s3cr3t-value';

async function setup(config: Partial<ControllerConfig> = {}) {
  h = await createHarness({ config: { allowAgentTargets: ['loopback'], ...config } });
  server = await startFileServer();
  return { hh: h, srv: server };
}

/** Serves `box` as acme/alpine 1.0.0 (bhyve) with its sha512, and returns the disk inside. */
function serveBox(srv: FileServer, box: Buffer, checksum = hexDigest('sha512', box)) {
  srv.files.set('/acme/alpine', {
    body: Buffer.from(
      JSON.stringify(
        catalog('acme/alpine', [
          {
            version: '1.0.0',
            providers: [
              {
                name: 'bhyve',
                url: `${srv.url}/files/alpine-1.0.0-bhyve.box`,
                checksum,
                checksum_type: 'sha512',
              },
            ],
          },
        ]),
      ),
    ),
    contentType: 'application/json',
  });
  srv.files.set('/files/alpine-1.0.0-bhyve.box', { body: box });
}

function pull(hh: Harness, registry: string, box = 'acme/alpine', version?: string) {
  return hh.req('POST', '/v1/images/pull-box', { registry, box, version });
}

/** A pull accepted (202) whose operation fails with `code` and a message matching `message`. */
async function pullFails(hh: Harness, res: Response, code: string, message: RegExp) {
  const { op } = await intakeOutcome(hh, res);
  expect(op).toMatchObject({ kind: 'pull_box', state: 'failed', error: { code } });
  expect(op.error?.msg).toMatch(message);
}

const META = JSON.stringify({ provider: 'bhyve', format: 'raw', architecture: 'amd64' });

describe('pull-box', () => {
  it('pulls the newest version with a bhyve provider, checks its checksum and stores its disk', async () => {
    const { hh, srv } = await setup();
    const oldDisk = patternedDisk(512 * 1024);
    const disk = patternedDisk(1024 * 1024);
    disk.write('version 1.2.0', 0);
    const box12 = await buildBox([
      { name: './metadata.json', body: META },
      { name: './Vagrantfile', body: 'Vagrant.configure("2") {}' },
      { name: './box.raw', body: disk },
    ]);
    const box10 = await buildBox([
      { name: 'metadata.json', body: META },
      { name: 'box.raw', body: oldDisk },
    ]);
    srv.files.set('/acme/alpine', {
      body: Buffer.from(
        JSON.stringify(
          catalog('acme/alpine', [
            {
              version: '1.0.0',
              providers: [{ name: 'bhyve', url: '/files/1.0.0.box' }],
            },
            {
              version: '1.2.0',
              providers: [
                { name: 'virtualbox', url: '/files/vbox.box' },
                {
                  name: 'bhyve',
                  url: '/files/1.2.0.box',
                  checksum: hexDigest('sha256', box12),
                  checksum_type: 'sha256',
                },
              ],
            },
            { version: '2.0.0', providers: [{ name: 'virtualbox', url: '/files/vbox2.box' }] },
          ]),
        ),
      ),
    });
    srv.files.set('/files/1.0.0.box', { body: box10 });
    srv.files.set('/files/1.2.0.box', { body: box12 });
    const added = await hh.req('POST', '/v1/registries', {
      name: 'acme',
      url: srv.url,
      token: TOKEN,
    });
    expect(added.status).toBe(201);
    const res = await pull(hh, 'acme');
    const { op, image } = await intakeOutcome(hh, res);
    expect(op).toMatchObject({ kind: 'pull_box', state: 'succeeded' });
    expect(image).toMatchObject({
      name: 'acme-alpine',
      format: 'raw',
      digest: sha(disk),
      source_digest: sha(box12),
      source_format: 'box',
      arch: 'amd64',
      description: 'acme/alpine for tests',
      box: { name: 'acme/alpine', version: '1.2.0', provider: 'bhyve' },
    });
    // The token went to the registry, never into a log line.
    expect(srv.auth).toContain(`Bearer ${TOKEN}`);
    // As Vagrant's own requests: BoxVault answers its Vagrant routes only to a Vagrant/ agent.
    expect(srv.agents.length).toBeGreaterThan(0);
    for (const agent of srv.agents) expect(agent).toMatch(/^Vagrant\/\d/);
    expect(hh.logLines.join('\n')).not.toContain(TOKEN);
    expect(await storedCounts(hh)).toEqual({ records: 1, blobs: 1, staged: 0 });
  });

  it('pulls the version asked for, from a registry given by URL', async () => {
    const { hh, srv } = await setup();
    const disk = patternedDisk(256 * 1024);
    serveBox(
      srv,
      await buildBox(
        [
          { name: 'metadata.json', body: META },
          { name: 'disk.img', body: disk },
        ],
        false,
      ),
    );
    const res = await pull(hh, srv.url, 'acme/alpine', '1.0.0');
    expect((await intakeOutcome(hh, res)).image?.digest).toBe(sha(disk));
  });

  it('refuses a box whose checksum does not match, storing nothing', async () => {
    const { hh, srv } = await setup();
    const box = await buildBox([
      { name: 'metadata.json', body: META },
      { name: 'box.raw', body: patternedDisk(4096) },
    ]);
    serveBox(srv, box, hexDigest('sha512', Buffer.from('another box')));
    await pullFails(
      hh,
      await pull(hh, srv.url),
      'validation',
      /sha512 checksum is [0-9a-f]+, the registry says/,
    );
    expect(await storedCounts(hh)).toEqual(NOTHING);
  });

  const hostile: Array<[string, BoxEntry[], RegExp]> = [
    [
      'a .. path',
      [
        { name: 'metadata.json', body: META },
        { name: '../../escape.raw', body: 'x' },
        { name: 'box.raw', body: 'd' },
      ],
      /\.\.\/\.\.\/escape\.raw has a \.\. component/,
    ],
    [
      'a symlink out of its root',
      [
        { name: 'metadata.json', body: META },
        { name: 'box.raw', symlinkTo: '../../../etc/passwd' },
      ],
      /link box\.raw points at \.\.\/\.\.\/\.\.\/etc\/passwd, outside the box/,
    ],
    [
      'an absolute symlink',
      [
        { name: 'metadata.json', body: META },
        { name: 'disk', symlinkTo: '/etc/shadow' },
        { name: 'box.raw', body: 'd' },
      ],
      /link disk points at \/etc\/shadow, outside the box/,
    ],
    ['no metadata.json', [{ name: 'box.raw', body: 'd' }], /no metadata\.json/],
  ];
  it.each(hostile)('refuses a box with %s, storing nothing', async (_what, entries, message) => {
    const { hh, srv } = await setup();
    serveBox(srv, await buildBox(entries));
    await pullFails(hh, await pull(hh, srv.url), 'validation', message);
    expect(await storedCounts(hh)).toEqual(NOTHING);
  });

  it('refuses a box that unpacks past --max-image-bytes, storing nothing', async () => {
    const { hh, srv } = await setup({ maxImageBytes: 200_000 });
    // Zeros compress to almost nothing: the download is small, the disk is not.
    serveBox(
      srv,
      await buildBox([
        { name: 'metadata.json', body: META },
        { name: 'box.raw', body: Buffer.alloc(1024 * 1024) },
      ]),
    );
    await pullFails(hh, await pull(hh, srv.url), 'validation', /unpacks to more than 200000 bytes/);
    expect(await storedCounts(hh)).toEqual(NOTHING);
  });

  it('reports a registry answering garbage, storing nothing', async () => {
    const { hh, srv } = await setup();
    srv.files.set('/acme/alpine', { status: 200, body: '<html>maintenance</html>' });
    let res = await pull(hh, srv.url);
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(/answered something that is not JSON/);
    srv.files.set('/acme/alpine', { status: 200, body: JSON.stringify({ boxes: [] }) });
    res = await pull(hh, srv.url);
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(/did not answer box metadata/);
    expect(await storedCounts(hh)).toEqual(NOTHING);
  });

  it('gives up on a registry that does not answer within --registry-timeout-ms', async () => {
    const { hh, srv } = await setup({ registryTimeoutMs: 300 });
    srv.files.set('/acme/alpine', { hang: true });
    const res = await pull(hh, srv.url);
    expect(res.status).toBe(504);
    expect(await res.text()).toMatch(/did not answer within 300 ms/);
    expect(await storedCounts(hh)).toEqual(NOTHING);
  });

  it('says which providers a box has when none is one Apiary runs', async () => {
    const { hh, srv } = await setup();
    srv.files.set('/acme/alpine', {
      body: Buffer.from(
        JSON.stringify(
          catalog('acme/alpine', [
            { version: '1.0.0', providers: [{ name: 'virtualbox', url: '/x.box' }] },
          ]),
        ),
      ),
    });
    const res = await pull(hh, srv.url);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/no bhyve or zone box \(it offers virtualbox\)/);
  });
});

describe('registries', () => {
  it('keeps the token sealed: never returned, and searches send it', async () => {
    const { hh, srv } = await setup();
    srv.files.set('/api/v2/search', {
      body: Buffer.from(
        JSON.stringify({
          boxes: [
            {
              tag: 'acme/alpine',
              short_description: 'Alpine for bhyve',
              versions: [{ version: '1.0.0', providers: [{ name: 'bhyve' }] }],
            },
          ],
        }),
      ),
    });
    const created = await json<Registry>(
      await hh.req('POST', '/v1/registries', { name: 'acme', url: `${srv.url}/`, token: TOKEN }),
    );
    expect(created).toMatchObject({ name: 'acme', url: srv.url, has_token: true });
    const listed = await hh.req('GET', '/v1/registries');
    const text = await listed.text();
    expect(text).not.toContain(TOKEN);
    const row = (await hh.core.ctx.db.select().from(hh.core.ctx.t.registries))[0];
    expect(row?.tokenEnc).toMatch(/^v1:/);
    expect(row?.tokenEnc).not.toContain(TOKEN);
    const boxes = await json<RegistryBoxes>(
      await hh.req('GET', `/v1/registries/${created.id}/boxes?q=alpine`),
    );
    expect(boxes.items).toEqual([
      {
        name: 'acme/alpine',
        description: 'Alpine for bhyve',
        versions: [{ version: '1.0.0', providers: ['bhyve'] }],
      },
    ]);
    expect(srv.log).toContain('GET /api/v2/search?q=alpine');
    expect(srv.auth.at(-1)).toBe(`Bearer ${TOKEN}`);
    expect((await hh.req('POST', '/v1/registries', { name: 'acme', url: srv.url })).status).toBe(
      409,
    );
    expect((await hh.req('DELETE', `/v1/registries/${created.id}`)).status).toBe(200);
    expect(
      (await json<{ items: Registry[] }>(await hh.req('GET', '/v1/registries'))).items,
    ).toEqual([]);
  });
});
