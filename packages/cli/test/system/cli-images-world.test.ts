import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Image, Registry, RegistryBox, VmOperation } from '@apiary/protocol';
import { Fleet } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, runCli } from './run-cli.js';

/*
 * `apiary registries` and `apiary images pull-box|fetch|import --format qcow2` through the real
 * program against a real controller, with a local registry speaking the Vagrant box catalog and
 * search formats.
 */

const TOKEN = 'cli-registry-token-value';
let fleet: Fleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let registry: Server;
let registryUrl: string;
const auth: Array<string | undefined> = [];
const disk = Buffer.alloc(2 * 1024 * 1024);
disk.write('a raw disk in a box', 0);
const disks = new Map<string, Buffer>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apiary-cli-world-'));
  fleet = await Fleet.start({ dir, agents: 0 });
  env = {
    HOME: dir,
    APIARY_CONFIG: join(dir, 'cli', 'config.json'),
    APIARY_URL: fleet.controllerUrl,
    APIARY_API_KEY: fleet.bootstrap.adminApiKey,
    APIARY_CA: fleet.controller.certFile,
  };
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ provider: 'zone' }));
  const boxes = new Map<string, Buffer>();
  for (const version of ['0.9.0', '1.0.0']) {
    const versioned = Buffer.from(disk);
    versioned.write(`version ${version}`, 1024);
    writeFileSync(join(dir, 'disk.raw'), versioned);
    execFileSync('tar', ['-cf', join(dir, 'out.box'), '-C', dir, 'metadata.json', 'disk.raw']);
    boxes.set(version, readFileSync(join(dir, 'out.box')));
    disks.set(version, versioned);
  }
  registry = createServer((req, res) => {
    auth.push(req.headers.authorization);
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/api/v2/search')
      return json({
        boxes: [{ tag: 'acme/omnios', short_description: 'OmniOS zone', versions: [] }],
      });
    if (url.pathname === '/acme/omnios')
      return json({
        name: 'acme/omnios',
        versions: ['0.9.0', '1.0.0'].map((version) => ({
          version,
          providers: [
            {
              name: 'zone',
              url: `/files/${version}.box`,
              checksum: createHash('md5')
                .update(boxes.get(version) as Buffer)
                .digest('hex'),
              checksum_type: 'md5',
            },
          ],
        })),
      });
    const file = /^\/files\/(.+)\.box$/.exec(url.pathname);
    const box = file ? boxes.get(file[1] as string) : undefined;
    if (box) return res.writeHead(200).end(box);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (registry ? registry.close(() => resolve()) : resolve()));
  await fleet?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('images from the world with the apiary CLI', () => {
  it('adds a registry with a token from the environment, lists and searches it', async () => {
    const added = await cliJson<Registry>(['registries', 'add', 'acme', registryUrl], {
      ...env,
      APIARY_REGISTRY_TOKEN: TOKEN,
    });
    expect(added).toMatchObject({ name: 'acme', has_token: true });
    const listed = await runCli(['registries', 'list'], { env });
    expect(listed.stdout).toMatch(/acme\W+http:\/\/127\.0\.0\.1:\d+\W+yes/);
    expect(listed.stdout).not.toContain(TOKEN);
    const boxes = await cliJson<RegistryBox[]>(['registries', 'boxes', 'acme', 'omni'], env);
    expect(boxes.map((b) => b.name)).toEqual(['acme/omnios']);
    expect(auth.at(-1)).toBe(`Bearer ${TOKEN}`);
  });

  it('pulls the newest version, or the one asked, of a box', async () => {
    const newest = await cliJson<Image>(
      ['images', 'pull-box', 'acme/omnios', '--registry', 'acme'],
      env,
    );
    expect(newest).toMatchObject({
      name: 'acme-omnios',
      format: 'raw',
      digest: `sha256:${createHash('sha256')
        .update(disks.get('1.0.0') as Buffer)
        .digest('hex')}`,
      box: { name: 'acme/omnios', version: '1.0.0', provider: 'zone' },
    });
    const asked = await runCli(
      ['images', 'pull-box', 'acme/omnios@0.9.0', '--registry', registryUrl, '--name', 'omni-09'],
      { env },
    );
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toMatch(/box\s+acme\/omnios@0\.9\.0 \(zone\)/);
    // --no-wait: the operation as accepted, followed afterwards with `operations show`.
    const accepted = await cliJson<VmOperation>(
      [
        'images',
        'pull-box',
        'acme/omnios@0.9.0',
        '--registry',
        'acme',
        '--name',
        'omni-nw',
        '--no-wait',
      ],
      env,
    );
    expect(accepted).toMatchObject({ kind: 'pull_box', vm_id: null });
    let shown = accepted;
    for (let i = 0; i < 200 && shown.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      shown = await cliJson<VmOperation>(['operations', 'show', accepted.id], env);
    }
    // The organization had these bytes already (pulled as omni-09 above): the operation names
    // the image it had, as an upload of known bytes answers with the existing record.
    expect(shown).toMatchObject({
      state: 'succeeded',
      result: {
        image: 'omni-09',
        image_digest: `sha256:${createHash('sha256')
          .update(disks.get('0.9.0') as Buffer)
          .digest('hex')}`,
      },
    });
    const bad = await runCli(['images', 'pull-box', 'omnios', '--registry', 'acme'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('give ORG/BOX or ORG/BOX@VERSION');
  });

  it('imports a qcow2 with its metadata, and lists its OS and cloud-init', async () => {
    const raw = join(dir, 'cloud.raw');
    writeFileSync(raw, Buffer.alloc(3 * 1024 * 1024, 'c'));
    execFileSync('qemu-img', [
      'convert',
      '-f',
      'raw',
      '-O',
      'qcow2',
      raw,
      join(dir, 'cloud.qcow2'),
    ]);
    const image = await cliJson<Image>(
      [
        'images',
        'upload',
        join(dir, 'cloud.qcow2'),
        '--os',
        'debian',
        '--os-version',
        '12',
        '--cloud-init',
      ],
      env,
    );
    expect(image).toMatchObject({
      name: 'cloud',
      format: 'raw',
      source_format: 'qcow2',
      os: 'debian',
      cloud_init: true,
    });
    const list = await runCli(['images', 'list'], { env });
    expect(list.stdout).toMatch(/cloud\W+sha256:\S+\W+raw\W+3(\.0)? MiB\W+debian 12\W+yes/);
  });
});
