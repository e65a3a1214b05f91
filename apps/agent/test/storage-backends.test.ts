import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { addFault, readState, runCommand } from '@apiary/illumos-sim';
import { describe, expect, it } from 'vitest';
import { hostSnapshot } from './helpers/host-snapshot.js';
import { buildZfsImage } from './helpers/images.js';
import { simAgent } from './helpers/sim-agent.js';

const MiB = 1024 * 1024;
const raw = Buffer.concat([Buffer.from('RAW-DISK-IMAGE\n'), Buffer.alloc(3 * MiB - 15, 7)]);
const rawDigest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
const hex = rawDigest.slice(7);

async function zoneState(simRoot: string, zone: string): Promise<string | undefined> {
  const { stdout } = await runCommand({
    argv: ['zoneadm', '-z', zone, 'list', '-p'],
    root: simRoot,
  });
  return stdout.split(':')[2];
}

describe('zvol backend with a raw image', () => {
  it('writes the image into a new volume and thin-clones VM disks from it', async () => {
    const t = await simAgent();
    const img = await t.api.uploadImage({
      query: { name: 'rawbox', format: 'raw' },
      body: raw,
      contentLength: raw.length,
    });
    expect(img).toMatchObject({ digest: rawDigest, format: 'raw', size: raw.length });
    const ds = readState(t.simRoot).datasets[`rpool/apiary/images/${hex}`];
    expect(ds).toMatchObject({ type: 'volume', volsize: 3 * MiB });
    const device = join(t.simRoot, 'root', 'dev', 'zvol', 'dsk', 'rpool', 'apiary', 'images', hex);
    expect(readFileSync(device).subarray(0, raw.length).equals(raw)).toBe(true);

    await t.api.createVm({ body: { id: 'r-0', env_id: 'r', image: 'rawbox', disk: 1024 } });
    await t.settle();
    expect((await t.api.getVm({ params: { id: 'r-0' } })).state).toBe('running');
    expect(readState(t.simRoot).datasets['rpool/apiary/vms/r-0/disk0']).toMatchObject({
      type: 'volume',
      volsize: 1024 * MiB,
      origin: `rpool/apiary/images/${hex}@base`,
    });
  }, 60_000);
});

describe('file backend (--storage raw, an alias of file)', () => {
  it('reports the canonical backend name', async () => {
    const t = await simAgent({ flags: ['--storage', 'raw'] });
    expect((await t.api.info()).storage).toBe('file');
  });

  it('stores images and VM disks as files, and removes them with the VM', async () => {
    const t = await simAgent({ flags: ['--storage', 'file'] });
    const zfsImage = buildZfsImage();
    const refused = await t.api
      .uploadImage({
        query: { name: 'zimg', format: 'zfs-send' },
        body: zfsImage.stream,
        contentLength: zfsImage.stream.length,
      })
      .catch((e) => e);
    expect(refused.status).toBe(400);

    await t.api.uploadImage({
      query: { name: 'rawbox', format: 'raw' },
      body: raw,
      contentLength: raw.length,
    });
    expect(readState(t.simRoot).datasets[`rpool/apiary/images/${hex}`]?.type).toBe('filesystem');
    const imageFile = join(t.simRoot, 'root', 'var', 'apiary', 'images', hex, 'disk.img');
    expect(readFileSync(imageFile).equals(raw)).toBe(true);
    const baseline = hostSnapshot(t.simRoot);

    // Observe the saga just before boot: a hanging (then passing) fault on boot holds it there.
    await addFault(t.simRoot, { match: 'zoneadm -z f-0 boot', count: 2, hang_ms: 1500 });
    const { operation } = await t.api.createVm({
      body: { id: 'f-0', env_id: 'f', image: 'rawbox', disk: 1024 },
    });
    for (
      let i = 0;
      i < 200 && (await t.api.getOperation({ params: { id: operation.id } })).step !== 'boot';
      i++
    ) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const diskFile = join(t.simRoot, 'root', 'var', 'apiary', 'vms', 'f-0', 'disk0.img');
    expect(statSync(diskFile).size).toBe(1024 * MiB);
    expect(readFileSync(diskFile).subarray(0, 15).toString()).toBe('RAW-DISK-IMAGE\n');
    const zone = readState(t.simRoot).zones.find((z) => z.name === 'f-0');
    expect(zone?.config.resources.find((r) => r.type === 'fs')?.props).toMatchObject({
      dir: '/var/apiary/vms/f-0',
      special: '/var/apiary/vms/f-0',
      type: 'lofs',
    });
    expect(
      zone?.config.resources.find((r) => r.type === 'attr' && r.props.name === 'bootdisk')?.props
        .value,
    ).toBe('/var/apiary/vms/f-0/disk0.img');
    expect(zone?.config.resources.some((r) => r.type === 'device')).toBe(false);
    await t.settle();
    // bhyve runs chrooted in the zone and opens the disk through the lofs mount: no device
    // match needed, the VM runs.
    expect((await t.api.getVm({ params: { id: 'f-0' } })).state).toBe('running');
    expect(await zoneState(t.simRoot, 'f-0')).toBe('running');

    await t.api.deleteVm({ params: { id: 'f-0' } });
    await t.settle();
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
    expect(() => statSync(diskFile)).toThrow();
  }, 60_000);
});
