import { readState } from '@apiary/illumos-sim';
import type { ApiError } from '@apiary/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.js';
import { type SimAgent, simAgent } from '../helpers/sim-agent.js';

/*
 * The host storage API against a simulated host with two pools: listings in one command,
 * Apiary's datasets read-only, operator datasets made, changed and destroyed, and what they
 * reserve counted in the host's capacity.
 */

const GiB = 1024 ** 3;

async function refusal(
  p: Promise<unknown>,
): Promise<{ status: number; code: string; msg: string }> {
  const error = (await p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  )) as ApiError;
  return { status: error.status, code: error.code, msg: error.message };
}

describe('host storage API', () => {
  let t: SimAgent;
  beforeAll(async () => {
    t = await simAgent({
      init: {
        pools: [
          { name: 'rpool', size: '40G' },
          { name: 'data', size: '100G', layout: 'mirror:c2t0d0,c2t1d0' },
        ],
      },
    });
  });

  it('lists pools with their sizes and vdev layout', async () => {
    const { items } = await t.api.listPools();
    const data = items.find((p) => p.name === 'data');
    expect(data).toMatchObject({ size: 100 * GiB, health: 'ONLINE', fragmentation: 0 });
    expect(data?.vdevs).toEqual([
      expect.objectContaining({
        name: 'mirror-0',
        type: 'mirror',
        children: [
          expect.objectContaining({ name: 'c2t0d0', type: 'disk' }),
          expect.objectContaining({ name: 'c2t1d0', type: 'disk' }),
        ],
      }),
    ]);
  });

  it('lists a pool’s datasets with one zfs list, marking Apiary’s own', async () => {
    const mark = t.commands().length;
    const { items } = await t.api.listDatasets({ query: { pool: 'rpool' } });
    const ran = t.commands().slice(mark);
    expect(ran.map((c) => c.argv[0])).toEqual(['zfs']);
    const owner = Object.fromEntries(items.map((d) => [d.name, d.owner]));
    expect(owner).toMatchObject({
      rpool: 'host',
      'rpool/apiary/images': 'apiary',
      'rpool/apiary/vms': 'apiary',
      'rpool/zones': 'apiary',
    });
  });

  it('says which pool does not exist', async () => {
    const r = await refusal(t.api.listDatasets({ query: { pool: 'nopool' } }));
    expect(r).toMatchObject({ status: 404, msg: 'no pool named nopool' });
  });

  it('creates, changes and destroys an operator’s file system', async () => {
    const created = await t.api.createDataset({
      body: { name: 'data/export', properties: { quota: 2 * GiB, compression: 'lz4' } },
    });
    expect(created).toMatchObject({ owner: 'api', quota: 2 * GiB, compression: 'lz4' });
    expect(readState(t.simRoot).datasets['data/export']).toBeDefined();
    const changed = await t.api.updateDataset({
      params: { name: 'data/export' },
      body: { quota: null, atime: 'off' },
    });
    expect(changed).toMatchObject({ quota: null, atime: 'off', compression: 'lz4' });
    await t.api.deleteDataset({ params: { name: 'data/export' } });
    expect(readState(t.simRoot).datasets['data/export']).toBeUndefined();
  });

  it('refuses to touch Apiary’s datasets, saying why', async () => {
    const patch = await refusal(
      t.api.updateDataset({ params: { name: 'rpool/apiary/images' }, body: { atime: 'off' } }),
    );
    expect(patch).toMatchObject({ status: 403, code: 'forbidden' });
    expect(patch.msg).toMatch(/Apiary's images and VM disks/);
    const del = await refusal(t.api.deleteDataset({ params: { name: 'rpool/zones' } }));
    expect(del).toMatchObject({ status: 403 });
    expect(del.msg).toMatch(/roots of Apiary's VM zones/);
    const inside = await refusal(t.api.createDataset({ body: { name: 'rpool/apiary/vms/mine' } }));
    expect(inside).toMatchObject({ status: 403 });
    const parent = await refusal(
      t.api.deleteDataset({ params: { name: 'rpool' }, query: { recursive: 'true' } }),
    );
    expect(parent).toMatchObject({ status: 409 });
    expect(parent.msg).toMatch(/holds Apiary's dataset rpool\/apiary/);
    const quota = await refusal(
      t.api.updateDataset({ params: { name: 'rpool' }, body: { quota: GiB } }),
    );
    expect(quota).toMatchObject({ status: 409 });
    expect(Object.keys(readState(t.simRoot).datasets)).toContain('rpool/apiary/images');
  });

  it('answers an operator’s mistakes in ZFS’s words', async () => {
    expect(await refusal(t.api.createDataset({ body: { name: 'rpool/zones' } }))).toMatchObject({
      status: 409,
      msg: "cannot create 'rpool/zones': dataset already exists",
    });
    expect(await refusal(t.api.createDataset({ body: { name: 'data/a/b' } }))).toMatchObject({
      status: 404,
      msg: 'parent dataset data/a does not exist',
    });
    await t.api.createDataset({ body: { name: 'data/twice' } });
    const again = await refusal(t.api.createDataset({ body: { name: 'data/twice' } }));
    expect(again).toMatchObject({ status: 409 });
    expect(again.msg).toBe("cannot create 'data/twice': dataset already exists");
    await t.api.createDataset({ body: { name: 'data/twice/child' } });
    const children = await refusal(t.api.deleteDataset({ params: { name: 'data/twice' } }));
    expect(children).toMatchObject({ status: 409 });
    expect(children.msg).toMatch(/recursive=true/);
    await t.api.deleteDataset({ params: { name: 'data/twice' }, query: { recursive: 'true' } });
    expect(
      Object.keys(readState(t.simRoot).datasets).filter((d) => d.startsWith('data/twice')),
    ).toEqual([]);
  });

  it('validates block sizes and the property whitelist at the edge', async () => {
    const res = await t.fetch('http://agent.test/api/storage/datasets/data', {
      method: 'PATCH',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ recordsize: 8192 }),
    });
    expect(res.status).toBe(400);
    const odd = await refusal(
      t.api.createDataset({ body: { name: 'data/v', type: 'volume', size: 1000 } }),
    );
    expect(odd).toMatchObject({ status: 400 });
  });

  it('counts what operator datasets reserve on the VM pool in the host capacity', async () => {
    const before = (await t.api.info()).resources.used.disk;
    await t.api.createDataset({ body: { name: 'rpool/thick', type: 'volume', size: 8 * GiB } });
    const during = (await t.api.info()).resources.used.disk;
    expect(during - before).toBeGreaterThanOrEqual(8 * 1024);
    // A sparse volume reserves nothing; a reservation on a file system does.
    await t.api.createDataset({
      body: { name: 'rpool/fs', properties: { reservation: 2 * GiB } },
    });
    expect((await t.api.info()).resources.used.disk - during).toBeGreaterThanOrEqual(2 * 1024);
    const tooBig = await refusal(
      t.api.createDataset({ body: { name: 'rpool/huge', type: 'volume', size: 40 * GiB } }),
    );
    expect(tooBig).toMatchObject({ status: 409, code: 'insufficient_capacity' });
    expect(readState(t.simRoot).datasets['rpool/huge']).toBeUndefined();
    await t.api.deleteDataset({ params: { name: 'rpool/thick' } });
    await t.api.deleteDataset({ params: { name: 'rpool/fs' } });
    expect((await t.api.info()).resources.used.disk).toBe(before);
  });

  it('forgets a dataset destroyed behind its back at the next refresh', async () => {
    const before = (await t.api.info()).resources.used.disk;
    await t.api.createDataset({ body: { name: 'rpool/gone', type: 'volume', size: GiB } });
    expect((await t.api.info()).resources.used.disk).toBeGreaterThan(before);
    const { runCommand } = await import('@apiary/illumos-sim');
    await runCommand({ argv: ['zfs', 'destroy', 'rpool/gone'], root: t.simRoot });
    await t.agent.tick();
    expect((await t.api.info()).resources.used.disk).toBe(before);
  });

  it('keeps these routes to admin keys', async () => {
    const operator = createApiKey(t.agent.db, { name: 'op', role: 'operator' }).key;
    for (const path of ['/api/storage/pools', '/api/storage/datasets', '/api/storage/swap']) {
      const res = await t.fetch(`http://agent.test${path}`, {
        headers: { authorization: `Bearer ${operator}` },
      });
      expect(res.status, path).toBe(403);
    }
  });
});
