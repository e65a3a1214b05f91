import { readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { readState, readZvol, writeZvol, zvolPath } from '@apiary/illumos-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostSnapshot } from './helpers/host-snapshot.js';
import { buildZfsImage } from './helpers/images.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

/*
 * Changing VMs through the agent's API (issue 13), end to end on a simulated host: what the
 * zone, the volumes, the snapshots and the NAT table hold after each change.
 */

const image = buildZfsImage({ content: 'golden disk\n' });
const MiB = 1024 * 1024;
const DS = 'rpool/apiary/vms';

let t: SimAgent;

beforeAll(async () => {
  t = await simAgent();
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
});

const zone = (name: string) => readState(t.simRoot).zones.find((z) => z.name === name);
const attr = (name: string, attrName: string) =>
  zone(name)?.config.resources.find((r) => r.type === 'attr' && r.props.name === attrName)?.props
    .value;
const devices = (name: string) =>
  zone(name)
    ?.config.resources.filter((r) => r.type === 'device')
    .map((r) => r.props.match);
const volsize = (ds: string) => readState(t.simRoot).datasets[ds]?.volsize;

async function create(id: string, extra: Record<string, unknown> = {}) {
  await t.api.createVm({
    body: { id, env_id: 'chg', image: 'box', cpu: 1, disk: 1024, ...extra },
  });
  await t.settle();
  const vm = await t.api.getVm({ params: { id } });
  expect(vm.state).toBe('running');
  return vm;
}

async function done<T extends { operation: { id: string } }>(accepted: Promise<T>) {
  const { operation } = await accepted;
  await t.settle();
  return t.api.getOperation({ params: { id: operation.id } });
}

async function stop(id: string) {
  await done(t.api.stopVm({ params: { id } }));
}

const status = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: { status?: number }) => e.status,
  );
const message = (p: Promise<unknown>) =>
  p.then(
    () => '',
    (e: Error) => e.message,
  );

describe('validation before any host command', () => {
  it('refuses malformed changes with 400 and runs nothing on the host', async () => {
    await create('val-1');
    const mark = t.commands().length;
    const raw = (method: string, path: string, body?: unknown) =>
      t
        .fetch(`http://agent.test${path}`, {
          method,
          headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
        .then((r) => r.status);
    const cases: Array<[string, string, unknown?]> = [
      ['PATCH', '/api/vms/val-1', {}],
      ['PATCH', '/api/vms/val-1', { cpu: 0 }],
      ['PATCH', '/api/vms/val-1', { mem: '1024' }],
      ['PATCH', '/api/vms/val-1', { disk: 1e12 }],
      ['PATCH', '/api/vms/val-1', { ports: [22, 22] }],
      ['PATCH', '/api/vms/val-1', { ports: [70000] }],
      ['PATCH', '/api/vms/val-1', { name: 'x' }],
      ['PATCH', '/api/vms/val-1?restart=yes', { cpu: 2 }],
      ['POST', '/api/vms/val-1/disks', { size: 0 }],
      ['POST', '/api/vms/val-1/disks', { size: 1.5 }],
      ['DELETE', '/api/vms/val-1/disks/16'],
      ['DELETE', '/api/vms/val-1/disks/-1'],
      ['PUT', '/api/vms/val-1/cdrom', { image: '../etc' }],
      ['POST', '/api/vms/val-1/snapshots', { name: 'x'.repeat(65) }],
      ['POST', '/api/vms/val-1/snapshots/a;b/rollback'],
      ['POST', '/api/vms/val-1/snapshots/ok/clone', { id: 'Bad_Id' }],
      ['POST', '/api/vms', { id: 'v2', env_id: 'e', image: 'box', boot_iso: 'box' }],
      ['POST', '/api/vms', { id: 'v2', env_id: 'e' }],
    ];
    for (const [method, path, body] of cases) {
      expect(await raw(method, path, body), `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
    }
    expect(t.commands().length).toBe(mark);
    await done(t.api.deleteVm({ params: { id: 'val-1' } }));
  });
});

describe('resize', () => {
  it('changes a stopped VM at once: zone attrs and a grown boot disk', async () => {
    await create('rs-1');
    await stop('rs-1');
    const op = await done(
      t.api.updateVm({ params: { id: 'rs-1' }, body: { cpu: 4, mem: 2048, disk: 2048 } }),
    );
    expect(op).toMatchObject({ kind: 'update', state: 'succeeded' });
    expect(attr('rs-1', 'vcpus')).toBe('4');
    expect(attr('rs-1', 'ram')).toBe('2048M');
    expect(attr('rs-1', 'apiary-disk')).toBe('2048');
    expect(Number(volsize(`${DS}/rs-1/disk0`))).toBe(2048 * MiB);
    const vm = await t.api.getVm({ params: { id: 'rs-1' } });
    expect(vm).toMatchObject({ cpu: 4, mem: 2048, disk: 2048, pending_changes: null });
    expect((await t.api.info()).resources.used).toMatchObject({ cpu: 4, mem: 2048 });
  });

  it('refuses to shrink the boot disk, with a clear 400', async () => {
    const refused = t.api.updateVm({ params: { id: 'rs-1' }, body: { disk: 1536 } });
    expect(await message(refused)).toMatch(/only grows: 1536 MiB is less than its 2048 MiB/);
    expect(await status(t.api.updateVm({ params: { id: 'rs-1' }, body: { disk: 1536 } }))).toBe(
      400,
    );
  });

  it('refuses what the host cannot take, naming the resource', async () => {
    const total = (await t.api.info()).resources.total;
    const body = { cpu: Math.min(64, total.cpu + 1) };
    expect(await status(t.api.updateVm({ params: { id: 'rs-1' }, body }))).toBe(409);
    const refused = t.api.updateVm({ params: { id: 'rs-1' }, body });
    expect(await message(refused)).toMatch(/not enough capacity on this host: cpu/);
  });

  it('gives a running VM the change at its next start, shown as pending until then', async () => {
    await create('rs-2');
    await done(t.api.updateVm({ params: { id: 'rs-2' }, body: { cpu: 3 } }));
    let vm = await t.api.getVm({ params: { id: 'rs-2' } });
    expect(vm).toMatchObject({ state: 'running', cpu: 3, pending_changes: { cpu: 3 } });
    // zonecfg changed the configuration; the running zone takes it at its next boot.
    expect(attr('rs-2', 'vcpus')).toBe('3');
    await stop('rs-2');
    await done(t.api.startVm({ params: { id: 'rs-2' } }));
    vm = await t.api.getVm({ params: { id: 'rs-2' } });
    expect(vm).toMatchObject({ state: 'running', pending_changes: null });
  });

  it('applies it now with ?restart=true', async () => {
    const op = await done(
      t.api.updateVm({ params: { id: 'rs-2' }, query: { restart: 'true' }, body: { mem: 2048 } }),
    );
    expect(op.state).toBe('succeeded');
    const vm = await t.api.getVm({ params: { id: 'rs-2' } });
    expect(vm).toMatchObject({ state: 'running', mem: 2048, pending_changes: null });
  });

  it('adds and removes forwards and the egress filter at once', async () => {
    await done(
      t.api.updateVm({
        params: { id: 'rs-2' },
        body: { ports: [8080, 9090], deny_outgoing: true },
      }),
    );
    let vm = await t.api.getVm({ params: { id: 'rs-2' } });
    expect(Object.keys(vm.port_map).sort()).toEqual(['22', '8080', '9090']);
    const nat = () => readState(t.simRoot).ipfilter.global.nat.join('\n');
    expect(nat()).toContain(`port ${vm.port_map['9090']} ->`);
    expect(readState(t.simRoot).ipfilter.zones['rs-2']?.rulesOut.length).toBeGreaterThan(0);
    await done(
      t.api.updateVm({ params: { id: 'rs-2' }, body: { ports: [], deny_outgoing: false } }),
    );
    const old = vm.port_map['9090'];
    vm = await t.api.getVm({ params: { id: 'rs-2' } });
    expect(vm.port_map).toEqual({ '22': vm.port_map['22'] });
    expect(nat()).not.toContain(`port ${old} ->`);
    expect(attr('rs-2', 'apiary-ports')).toBe(`22:${vm.port_map['22']}`);
  });

  it('is a 409 while another operation runs on the VM', async () => {
    const first = t.api.updateVm({ params: { id: 'rs-1' }, body: { cpu: 2 } });
    const second = t.api.updateVm({ params: { id: 'rs-1' }, body: { cpu: 3 } });
    expect((await first).operation.kind).toBe('update');
    expect(await status(second)).toBe(409);
    await t.settle();
    await done(t.api.deleteVm({ params: { id: 'rs-1' } }));
    await done(t.api.deleteVm({ params: { id: 'rs-2' } }));
  });
});

describe('data disks', () => {
  it('adds a volume in the next diskN slot, listed on the VM', async () => {
    await create('dk-1');
    await stop('dk-1');
    await done(t.api.addDisk({ params: { id: 'dk-1' }, body: { size: 1024 } }));
    await done(t.api.addDisk({ params: { id: 'dk-1' }, body: { size: 2048 } }));
    expect(attr('dk-1', 'disk0')).toBe(`${DS}/dk-1/data0`);
    expect(attr('dk-1', 'disk1')).toBe(`${DS}/dk-1/data1`);
    expect(devices('dk-1')).toContain(`/dev/zvol/rdsk/${DS}/dk-1/data1`);
    expect(Number(volsize(`${DS}/dk-1/data1`))).toBe(2048 * MiB);
    const vm = await t.api.getVm({ params: { id: 'dk-1' } });
    expect(vm.disks?.map((d) => [d.n, d.size])).toEqual([
      [0, 1024],
      [1, 2048],
    ]);
    expect(vm.disks?.every((d) => typeof d.used === 'number')).toBe(true);
  });

  it('removes one: its slot, device and volume go', async () => {
    await done(t.api.removeDisk({ params: { id: 'dk-1', n: 0 } }));
    expect(attr('dk-1', 'disk0')).toBeUndefined();
    expect(readState(t.simRoot).datasets[`${DS}/dk-1/data0`]).toBeUndefined();
    expect(devices('dk-1')).not.toContain(`/dev/zvol/rdsk/${DS}/dk-1/data0`);
    // The boot works with the disk that is left.
    await done(t.api.startVm({ params: { id: 'dk-1' } }));
    expect((await t.api.getVm({ params: { id: 'dk-1' } })).state).toBe('running');
  });

  it('refuses to remove a disk a running VM has, but not one it has not seen yet', async () => {
    expect(await status(t.api.removeDisk({ params: { id: 'dk-1', n: 1 } }))).toBe(409);
    await done(t.api.addDisk({ params: { id: 'dk-1' }, body: { size: 1024 } }));
    let vm = await t.api.getVm({ params: { id: 'dk-1' } });
    expect(vm.pending_changes?.disks?.map((d) => d.n)).toEqual([0, 1]);
    const op = await done(t.api.removeDisk({ params: { id: 'dk-1', n: 0 } }));
    expect(op.state).toBe('succeeded');
    vm = await t.api.getVm({ params: { id: 'dk-1' } });
    expect(vm.pending_changes).toBeNull();
    await done(t.api.deleteVm({ params: { id: 'dk-1' } }));
  });
});

describe('snapshots', () => {
  it('takes all disks in one zfs snapshot and lists it with the machine', async () => {
    await create('sn-1');
    await stop('sn-1');
    await done(t.api.addDisk({ params: { id: 'sn-1' }, body: { size: 1024 } }));
    const mark = t.commands().length;
    const op = await done(t.api.createSnapshot({ params: { id: 'sn-1' }, body: { name: 'one' } }));
    expect(op.state).toBe('succeeded');
    const snaps = t
      .commands()
      .slice(mark)
      .filter((c) => c.argv[0] === 'zfs' && c.argv[1] === 'snapshot');
    expect(snaps.map((c) => c.argv.slice(2))).toEqual([
      [`${DS}/sn-1/disk0@one`, `${DS}/sn-1/data0@one`],
    ]);
    const list = await t.api.listSnapshots({ params: { id: 'sn-1' } });
    expect(list.items).toEqual([
      expect.objectContaining({
        name: 'one',
        machine: { cpu: 1, mem: 1024, disk: 1024, disks: [{ n: 0, size: 1024 }], cdrom: null },
        clones: [],
      }),
    ]);
  });

  it('refuses names outside the ZFS component grammar before any command', async () => {
    const mark = t.commands().length;
    for (const name of ['-r', 'a b', 'a@b', 'a/b', '.hidden', '']) {
      expect(
        await status(t.api.createSnapshot({ params: { id: 'sn-1' }, body: { name } })),
        name,
      ).toBe(400);
    }
    expect(t.commands().length).toBe(mark);
  });

  it('rolls back disks and configuration, after saying which later snapshots it destroys', async () => {
    const disk0 = `${DS}/sn-1/disk0`;
    const before = readZvol(t.simRoot, disk0, { offset: 0, length: 12 }).toString();
    writeZvol(t.simRoot, disk0, Buffer.from('changed!!!!\n'), 0);
    await done(t.api.updateVm({ params: { id: 'sn-1' }, body: { cpu: 2 } }));
    await done(t.api.addDisk({ params: { id: 'sn-1' }, body: { size: 1024 } }));
    await done(t.api.createSnapshot({ params: { id: 'sn-1' }, body: { name: 'two' } }));
    const refused = t.api.rollbackSnapshot({ params: { id: 'sn-1', name: 'one' } });
    expect(await message(refused)).toMatch(/destroys the later snapshots two; .*force=true/);
    const op = await done(
      t.api.rollbackSnapshot({ params: { id: 'sn-1', name: 'one' }, query: { force: 'true' } }),
    );
    expect(op.state).toBe('succeeded');
    expect(readZvol(t.simRoot, disk0, { offset: 0, length: 12 }).toString()).toBe(before);
    const vm = await t.api.getVm({ params: { id: 'sn-1' } });
    expect(vm).toMatchObject({ cpu: 1, state: 'stopped' });
    expect(vm.disks?.map((d) => d.n)).toEqual([0]);
    expect(attr('sn-1', 'vcpus')).toBe('1');
    expect(attr('sn-1', 'disk1')).toBeUndefined();
    const datasets = Object.keys(readState(t.simRoot).datasets).filter((d) => d.includes('/sn-1/'));
    expect(datasets.sort()).toEqual(
      [
        `${DS}/sn-1/data0`,
        `${DS}/sn-1/data0@one`,
        `${DS}/sn-1/disk0`,
        `${DS}/sn-1/disk0@one`,
      ].sort(),
    );
    expect(
      (await t.api.listSnapshots({ params: { id: 'sn-1' } })).items.map((s) => s.name),
    ).toEqual(['one']);
  });

  it('needs the VM stopped, or ?stop=true', async () => {
    await done(t.api.startVm({ params: { id: 'sn-1' } }));
    const refused = t.api.rollbackSnapshot({ params: { id: 'sn-1', name: 'one' } });
    expect(await status(refused)).toBe(409);
    const op = await done(
      t.api.rollbackSnapshot({ params: { id: 'sn-1', name: 'one' }, query: { stop: 'true' } }),
    );
    expect(op.state).toBe('succeeded');
    expect((await t.api.getVm({ params: { id: 'sn-1' } })).state).toBe('stopped');
  });

  it('counts snapshot space against the host disk', async () => {
    writeZvol(t.simRoot, `${DS}/sn-1/disk0`, Buffer.alloc(4 * MiB, 7), 0);
    const usedBefore = (await t.api.info()).resources.used.disk;
    await done(t.api.createSnapshot({ params: { id: 'sn-1' }, body: { name: 'big' } }));
    await done(t.api.createSnapshot({ params: { id: 'sn-1' }, body: { name: 'big2' } }));
    // The guest discards what it wrote: only the snapshots hold those blocks now.
    truncateSync(zvolPath(t.simRoot, `${DS}/sn-1/disk0`), 0);
    const snaps = (await t.api.listSnapshots({ params: { id: 'sn-1' } })).items;
    const held = snaps.reduce((s, x) => s + (x.used ?? 0), 0);
    expect(held).toBeGreaterThan(0);
    expect((await t.api.info()).resources.used.disk).toBe(usedBefore + Math.ceil(held / MiB));
  });

  it('deletes one, and deleting the VM removes them all', async () => {
    await done(t.api.deleteSnapshot({ params: { id: 'sn-1', name: 'big2' } }));
    expect(readState(t.simRoot).datasets[`${DS}/sn-1/disk0@big2`]).toBeUndefined();
    await done(t.api.deleteVm({ params: { id: 'sn-1' } }));
    expect(Object.keys(readState(t.simRoot).datasets).filter((d) => d.includes('sn-1'))).toEqual(
      [],
    );
  });
});

describe('clones and export', () => {
  it('makes a new VM from a snapshot: thin clones, its own address, ports and cloud-init', async () => {
    const src = await create('cl-src', { ports: [8080] });
    await done(t.api.addDisk({ params: { id: 'cl-src' }, body: { size: 1024 } }));
    await done(t.api.createSnapshot({ params: { id: 'cl-src' }, body: { name: 'gold' } }));
    await done(
      t.api.cloneSnapshot({ params: { id: 'cl-src', name: 'gold' }, body: { id: 'cl-copy' } }),
    );
    const copy = await t.api.getVm({ params: { id: 'cl-copy' } });
    expect(copy.state).toBe('running');
    expect(copy.ip).not.toBe(src.ip);
    expect(copy.port_map['8080']).not.toBe(src.port_map['8080']);
    expect(copy.disks?.map((d) => d.n)).toEqual([0]);
    const ds = readState(t.simRoot).datasets;
    expect(ds[`${DS}/cl-copy/disk0`]?.origin).toBe(`${DS}/cl-src/disk0@gold`);
    expect(ds[`${DS}/cl-copy/data0`]?.origin).toBe(`${DS}/cl-src/data0@gold`);
    expect(attr('cl-copy', 'apiary-vm-id')).toBe('cl-copy');
    // A fresh cloud-init: its own user-data, named after the clone.
    const userData = readFileSync(
      join(t.simRoot, 'root', 'var', 'apiary', 'cloud-init', 'cl-copy', 'user-data'),
      'utf8',
    );
    expect(userData).toContain('hostname: cl-copy');
    const snaps = await t.api.listSnapshots({ params: { id: 'cl-src' } });
    expect(snaps.items[0]?.clones).toEqual(['cl-copy']);
  });

  it('keeps the snapshot and its VM while clones depend on them', async () => {
    expect(await status(t.api.deleteSnapshot({ params: { id: 'cl-src', name: 'gold' } }))).toBe(
      409,
    );
    expect(await status(t.api.deleteVm({ params: { id: 'cl-src' } }))).toBe(409);
  });

  it('streams zfs send of the snapshot', async () => {
    const response = await t.api.exportSnapshot({ params: { id: 'cl-src', name: 'gold' } });
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.subarray(0, 18).toString()).toBe('APIARY-SIM-ZSTREAM');
    expect(body.toString()).toContain(`${DS}/cl-src/disk0@gold`);
  });

  it('lets everything go once the clone is gone', async () => {
    await done(t.api.deleteVm({ params: { id: 'cl-copy' } }));
    await done(t.api.deleteVm({ params: { id: 'cl-src' } }));
    expect(hostSnapshot(t.simRoot).datasets.filter((d) => d.includes('cl-'))).toEqual([]);
  });
});

describe('CD-ROM and ISO installs', () => {
  const iso = Buffer.from('CD001 installer image\n'.repeat(100));
  let digest: string;
  let hex: string;
  beforeAll(async () => {
    const uploaded = await t.api.uploadImage({
      query: { name: 'installer', format: 'iso' },
      body: iso,
      contentLength: iso.length,
    });
    expect(uploaded.format).toBe('iso');
    digest = uploaded.digest;
    hex = digest.slice('sha256:'.length);
  });

  it('keeps an iso as a file in the image store, not a volume', () => {
    const ds = readState(t.simRoot).datasets[`rpool/apiary/images/${hex}`];
    expect(ds?.type).toBe('filesystem');
    expect(readFileSync(join(t.simRoot, 'root', `/var/apiary/images/${hex}/image.iso`))).toEqual(
      iso,
    );
  });

  it('creates a VM from an ISO: an empty disk and the CD-ROM first in the boot order', async () => {
    await t.api.createVm({
      body: { id: 'iso-1', env_id: 'chg', boot_iso: 'installer', cpu: 1, disk: 2048 },
    });
    await t.settle();
    const vm = await t.api.getVm({ params: { id: 'iso-1' } });
    expect(vm.error).toBeNull();
    expect(vm).toMatchObject({ cdrom: digest, disk: 2048 });
    expect(attr('iso-1', 'cdrom')).toBe(`/var/apiary/images/${hex}/image.iso`);
    expect(attr('iso-1', 'bootorder')).toBe('cdrom0,bootdisk');
    const fs = zone('iso-1')?.config.resources.find((r) => r.type === 'fs');
    expect(fs?.props).toMatchObject({
      dir: `/var/apiary/images/${hex}`,
      special: `/var/apiary/images/${hex}`,
      type: 'lofs',
    });
    const disk = readState(t.simRoot).datasets[`${DS}/iso-1/disk0`];
    expect(disk).toMatchObject({ type: 'volume', volsize: 2048 * MiB });
    expect(disk?.origin).toBeUndefined();
  });

  it('detaches and attaches the CD-ROM; the boot order follows it', async () => {
    await stop('iso-1');
    await done(t.api.detachCdrom({ params: { id: 'iso-1' } }));
    expect(attr('iso-1', 'cdrom')).toBeUndefined();
    expect(attr('iso-1', 'bootorder')).toBeUndefined();
    expect(zone('iso-1')?.config.resources.some((r) => r.type === 'fs')).toBe(false);
    expect((await t.api.getVm({ params: { id: 'iso-1' } })).cdrom).toBeNull();
    await done(t.api.attachCdrom({ params: { id: 'iso-1' }, body: { image: 'installer' } }));
    expect(attr('iso-1', 'cdrom')).toBe(`/var/apiary/images/${hex}/image.iso`);
    await done(t.api.startVm({ params: { id: 'iso-1' } }));
    expect((await t.api.getVm({ params: { id: 'iso-1' } })).state).toBe('running');
  });

  it('refuses a disk image as a CD-ROM and an ISO in use as an image to delete', async () => {
    const refused = t.api.attachCdrom({ params: { id: 'iso-1' }, body: { image: 'box' } });
    expect(await message(refused)).toMatch(/not an iso/);
    expect(await status(t.api.deleteImage({ params: { digest: digest as never } }))).toBe(409);
    await done(t.api.deleteVm({ params: { id: 'iso-1' } }));
  });
});

describe('a change the host cannot take', () => {
  it('is refused with the reason when the port range is full, and nothing changes', async () => {
    const small = await simAgent({ flags: ['--port-range', '40000-40002'] });
    await small.api.uploadImage({
      query: { name: 'box' },
      body: image.stream,
      contentLength: image.stream.length,
    });
    await small.api.createVm({
      body: { id: 'pr-1', env_id: 'chg', image: 'box', cpu: 1, disk: 1024, ports: [80] },
    });
    await small.settle();
    const before = await small.api.getVm({ params: { id: 'pr-1' } });
    const mark = small.commands().length;
    const refused = small.api.updateVm({
      params: { id: 'pr-1' },
      body: { ports: [80, 443, 8443] },
    });
    expect(await message(refused)).toMatch(/no free host port in 40000-40002/);
    expect(small.commands().length).toBe(mark);
    const after = await small.api.getVm({ params: { id: 'pr-1' } });
    expect(after.port_map).toEqual(before.port_map);
    expect(after.operation_id).toBeNull();
  });
});

describe('finding what a request started', () => {
  // Last in the file, on a VM an earlier test made when there is one: the host may have no
  // room left for another.
  it('names the operations a request started, for a caller that lost the answer', async () => {
    const { items } = await t.api.listVms({ query: { limit: 50, offset: 0 } });
    const vm =
      items.find((v) => (v.state === 'running' || v.state === 'stopped') && !v.operation_id) ??
      (await create('req-1'));
    const kind = vm.state === 'running' ? 'stop' : 'start';
    const call = { params: { id: vm.id } };
    const options = { requestId: 'req_lostanswer00000001' };
    const accepted = await (kind === 'stop'
      ? t.api.stopVm(call, options)
      : t.api.startVm(call, options));
    await t.settle();
    const started = await t.api.listOperations({ query: { request_id: 'req_lostanswer00000001' } });
    expect(started.items.map((op) => [op.id, op.kind, op.state])).toEqual([
      [accepted.operation.id, kind, 'succeeded'],
    ]);
    const none = await t.api.listOperations({ query: { request_id: 'req_nobodysentthis0001' } });
    expect(none.items).toEqual([]);
    expect(await status(t.api.listOperations({ query: { request_id: 'a b' } }))).toBe(400);
  });
});
