import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addFault, binDir, initHost, readState, runCommand } from '@apiary/illumos-sim';
import { describe, expect, it } from 'vitest';
import { fakeController } from './helpers/fake-controller.js';
import { buildZfsImage } from './helpers/images.js';
import { simAgent } from './helpers/sim-agent.js';
import { tempDir } from './helpers/temp.js';

/*
 * Images are foreign input: a stream an org admin uploads (or the controller hands out) goes
 * into the host's kernel in the global zone. What arrives must be one volume, and nothing else
 * may ever be mounted; what a failed transfer leaves must not outlive it.
 */

/** A `zfs send` stream of whatever `make` builds on a separate simulated host. */
function buildStream(make: (zfs: (...args: string[]) => Buffer, root: string) => string) {
  const root = join(tempDir('builder'), 'host');
  initHost(root, {});
  const env = { ...process.env, ILLUMOS_SIM_ROOT: root };
  const zfs = (...args: string[]) =>
    execFileSync(join(binDir(), 'zfs'), args, { env, encoding: 'buffer', maxBuffer: 1 << 30 });
  const stream = zfs('send', ...make(zfs, root).split(' '));
  return { stream, digest: `sha256:${createHash('sha256').update(stream).digest('hex')}` };
}

/** A file system that would mount itself over /opt/evil with setuid on (`zfs send -p`). */
const fileSystemStream = () =>
  buildStream((zfs) => {
    zfs('create', '-o', 'mountpoint=/opt/evil', '-o', 'setuid=on', '-o', 'exec=on', 'rpool/fs');
    zfs('snapshot', 'rpool/fs@v1');
    return '-p rpool/fs@v1';
  });

const incomingDatasets = (simRoot: string) =>
  Object.values(readState(simRoot).datasets).filter(
    (d) => d.type !== 'snapshot' && d.name.startsWith('rpool/apiary/images/incoming-'),
  );

describe('image streams', () => {
  it('refuses a file-system stream without ever mounting it, even when its removal fails', async () => {
    const t = await simAgent();
    const fs = fileSystemStream();
    // The clean-up after the refusal fails: what the receive made stays on the host to look at.
    await addFault(t.simRoot, {
      match: 'zfs destroy -r rpool/apiary/images/incoming-*',
      exit_code: 1,
      stderr: 'cannot destroy: dataset is busy\n',
      count: 2,
    });
    const error = await t.api
      .uploadImage({ query: { name: 'evil' }, body: fs.stream, contentLength: fs.stream.length })
      .catch((e) => e);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/single ZFS volume/);
    // The stream's mountpoint was never mounted over, and the leftover can never be mounted.
    expect(existsSync(join(t.simRoot, 'root', 'opt', 'evil'))).toBe(false);
    const left = incomingDatasets(t.simRoot);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({
      type: 'filesystem',
      props: expect.objectContaining({
        canmount: 'off',
        mountpoint: 'none',
        setuid: 'off',
        exec: 'off',
        devices: 'off',
      }),
    });
    expect((await t.api.listImages()).total).toBe(0);
  }, 60_000);

  it('refuses a recursive stream whose top is a file system and leaves nothing', async () => {
    const t = await simAgent();
    const tree = buildStream((zfs) => {
      zfs('create', '-o', 'mountpoint=/opt/tree', 'rpool/tree');
      zfs('create', '-V', String(64 * 1024 * 1024), 'rpool/tree/vol');
      zfs('snapshot', '-r', 'rpool/tree@v1');
      return '-R rpool/tree@v1';
    });
    const before = Object.keys(readState(t.simRoot).datasets).sort();
    const error = await t.api
      .uploadImage({
        query: { name: 'tree' },
        body: tree.stream,
        contentLength: tree.stream.length,
      })
      .catch((e) => e);
    expect(error.status).toBe(400);
    expect(existsSync(join(t.simRoot, 'root', 'opt', 'tree'))).toBe(false);
    expect(Object.keys(readState(t.simRoot).datasets).sort()).toEqual(before);
  }, 60_000);

  it('imports a volume stream, also one sent with its properties, without its reservation', async () => {
    const t = await simAgent();
    const thick = buildStream((zfs) => {
      zfs('create', '-V', String(64 * 1024 * 1024), 'rpool/box');
      zfs('snapshot', 'rpool/box@v1');
      return '-p rpool/box@v1';
    });
    const image = await t.api.uploadImage({
      query: { name: 'thick' },
      body: thick.stream,
      contentLength: thick.stream.length,
    });
    expect(image.digest).toBe(thick.digest);
    const ds = readState(t.simRoot).datasets[`rpool/apiary/images/${thick.digest.slice(7)}`];
    expect(ds?.type).toBe('volume');
    expect(ds?.props.refreservation).toBeUndefined();
    expect(ds?.received?.refreservation).toBeUndefined();
    expect(incomingDatasets(t.simRoot)).toEqual([]);
    // A recursive stream of a volume passes the first receive: it is still a volume, and its
    // reservation goes all the same.
    const recursive = buildStream((zfs) => {
      zfs('create', '-V', String(32 * 1024 * 1024), 'rpool/rbox');
      zfs('snapshot', 'rpool/rbox@v1');
      return '-R rpool/rbox@v1';
    });
    const r = await t.api.uploadImage({
      query: { name: 'recursive' },
      body: recursive.stream,
      contentLength: recursive.stream.length,
    });
    const name = `rpool/apiary/images/${r.digest.slice(7)}`;
    expect(readState(t.simRoot).datasets[name]?.type).toBe('volume');
    const got = await runCommand({
      argv: ['zfs', 'get', '-Hp', '-o', 'value', 'refreservation', name],
      root: t.simRoot,
    });
    expect(got.stdout.trim()).toBe('0');
    // A plain stream still imports as before.
    const plain = buildZfsImage({ sizeBytes: 64 * 1024 * 1024 });
    await t.api.uploadImage({
      query: { name: 'plain' },
      body: plain.stream,
      contentLength: plain.stream.length,
    });
    expect((await t.api.listImages()).total).toBe(3);
  }, 60_000);
});

describe('staging files', () => {
  it('removes the partial file of a pull refused as too large, so the next pull starts afresh', async () => {
    const image = buildZfsImage({ content: 'pulled disk\n' });
    const controller = fakeController({ [image.digest]: image.stream });
    const dir = tempDir('lic');
    const license = join(dir, 'license');
    writeFileSync(license, 'lic_0123456789abcdef0123\n', { mode: 0o600 });
    const t = await simAgent({
      flags: [
        ...['--controller', 'https://controller.test:9200', '--license-key-file', license],
        ...['--max-image-bytes', String(Math.floor(image.stream.length / 2))],
      ],
      agent: { fetch: controller.fetch },
    });
    for (let i = 0; i < 100 && !t.agent.link?.status().registered; i++)
      await new Promise((r) => setTimeout(r, 50));
    const pullDir = join(t.dataDir, 'images', 'pull');
    for (let i = 0; i < 2; i++) {
      const error = await t.api.pullImage({ body: { digest: image.digest } }).catch((e) => e);
      expect(error.status).toBe(413);
      expect(existsSync(pullDir) ? readdirSync(pullDir) : []).toEqual([]);
    }
    // Both pulls asked for the whole image: neither resumed from a file the other left.
    expect(controller.state.downloads.map((d) => d.range)).toEqual([undefined, undefined]);
  }, 60_000);

  it('removes what interrupted uploads and pulls left when the agent starts', async () => {
    const dataDir = join(tempDir('data'), 'agent');
    const staging = join(dataDir, 'images', 'staging');
    const pull = join(dataDir, 'images', 'pull');
    mkdirSync(staging, { recursive: true });
    mkdirSync(pull, { recursive: true });
    writeFileSync(join(staging, 'upload-0123456789abcdef.part'), Buffer.alloc(4096));
    writeFileSync(join(pull, `${'a'.repeat(64)}.part`), Buffer.alloc(4096));
    await simAgent({ dataDir });
    expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
    expect(existsSync(pull) ? readdirSync(pull) : []).toEqual([]);
  }, 60_000);
});
