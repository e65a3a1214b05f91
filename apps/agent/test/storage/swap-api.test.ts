import { addFault, readState } from '@apiary/illumos-sim';
import type { ApiError } from '@apiary/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SimAgent, simAgent } from '../helpers/sim-agent.js';

/*
 * Swap through the storage API: a volume made and swapped on, refused destruction while it
 * swaps, removed; and a failure at either step of adding it leaves no volume and no charge.
 */

const GiB = 1024 ** 3;

async function failure(p: Promise<unknown>) {
  return (await p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  )) as ApiError;
}

describe('swap through the storage API', () => {
  let t: SimAgent;
  beforeAll(async () => {
    t = await simAgent();
  });

  it('lists no swap devices on a host without any', async () => {
    expect(await t.api.listSwap()).toEqual({ items: [] });
  });

  it('makes a volume, swaps on it, and removes it again', async () => {
    const before = (await t.api.info()).resources.used.disk;
    const device = await t.api.addSwap({ body: { name: 'rpool/swap1', size: GiB } });
    expect(device).toMatchObject({ path: '/dev/zvol/dsk/rpool/swap1', dataset: 'rpool/swap1' });
    expect((await t.api.listSwap()).items.map((s) => s.dataset)).toEqual(['rpool/swap1']);
    expect((await t.api.info()).resources.used.disk - before).toBeGreaterThanOrEqual(1024);
    const busy = await failure(t.api.deleteDataset({ params: { name: 'rpool/swap1' } }));
    expect(busy.status).toBe(409);
    expect(busy.message).toMatch(/in use as swap/);
    await t.api.removeSwap({ params: { name: 'rpool/swap1' }, query: { destroy: 'true' } });
    expect((await t.api.listSwap()).items).toEqual([]);
    expect(readState(t.simRoot).datasets['rpool/swap1']).toBeUndefined();
    expect((await t.api.info()).resources.used.disk).toBe(before);
  });

  it('swaps on an existing volume and leaves it when removed without destroy', async () => {
    await t.api.createDataset({ body: { name: 'rpool/vol', type: 'volume', size: GiB } });
    await t.api.addSwap({ body: { name: 'rpool/vol' } });
    await t.api.removeSwap({ params: { name: 'rpool/vol' } });
    expect(readState(t.simRoot).datasets['rpool/vol']).toBeDefined();
    await t.api.deleteDataset({ params: { name: 'rpool/vol' } });
  });

  it('says a volume that does not swap is not a swap device', async () => {
    const e = await failure(t.api.removeSwap({ params: { name: 'rpool/nothing' } }));
    expect(e.status).toBe(404);
  });

  for (const match of ['zfs create *', 'swap -a *']) {
    it(`leaves no volume and no charge behind when \`${match}\` fails`, async () => {
      const before = (await t.api.info()).resources.used.disk;
      const datasets = Object.keys(readState(t.simRoot).datasets).sort();
      await addFault(t.simRoot, { match, count: 1, exit_code: 1, stderr: 'simulated failure\n' });
      const e = await failure(t.api.addSwap({ body: { name: 'rpool/swap2', size: GiB } }));
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(Object.keys(readState(t.simRoot).datasets).sort()).toEqual(datasets);
      expect((await t.api.listSwap()).items).toEqual([]);
      expect((await t.api.info()).resources.used.disk).toBe(before);
      const listed = await t.api.listDatasets({ query: { pool: 'rpool' } });
      expect(listed.items.some((d) => d.owner === 'api')).toBe(false);
    });
  }

  it('swaps on its volumes again when the agent starts after a reboot', async () => {
    await t.api.addSwap({ body: { name: 'rpool/swap3', size: GiB } });
    // A reboot: swap -a does not persist. Take it away behind the agent's back.
    const { runCommand } = await import('@apiary/illumos-sim');
    await runCommand({ argv: ['swap', '-d', '/dev/zvol/dsk/rpool/swap3'], root: t.simRoot });
    expect((await t.api.listSwap()).items).toEqual([]);
    const again = await simAgent({ simRoot: t.simRoot, dataDir: t.dataDir });
    expect((await again.api.listSwap()).items.map((s) => s.dataset)).toEqual(['rpool/swap3']);
    await again.api.removeSwap({ params: { name: 'rpool/swap3' }, query: { destroy: 'true' } });
  });
});
