import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { foldVmCounts, readVmCounts } from '../../src/services/vm-counts.js';
import { engines, withDb } from './engine-fixtures.js';
import {
  addEnv,
  addOrgs,
  deltaRows,
  dropTrigger,
  freshCounts,
  mismatch,
  randomMix,
} from './vm-count-fixtures.js';

/*
 * The VM counts the database keeps with the VM writes (migration vm_counts, vm-counts.ts) equal
 * a fresh `count(*) GROUP BY` after any mix of VM writes, before and after folds, on both
 * engines; and the check that says so notices a trigger that misses its event.
 */
describe.each(engines())('VM counts kept with the writes (%s)', (_engine, open) => {
  it('equal a fresh count after every write of a random mix, before and after folds', async () => {
    await withDb(open, async (d) => {
      await addOrgs(d);
      for (const seed of [1, 2, 3]) expect(await randomMix(d, seed, 150)).toBeNull();
    });
  });

  it('notice a trigger that misses its event (the mix above would fail)', async () => {
    for (const trigger of ['vms_count_insert', 'vms_count_update', 'vms_count_delete']) {
      await withDb(open, async (d) => {
        await addOrgs(d);
        await dropTrigger(d, trigger);
        expect(await randomMix(d, 1, 150), trigger).not.toBeNull();
      });
    }
  });

  it('add no delta for a write that moves no VM between counts', async () => {
    await withDb(open, async (d) => {
      await addOrgs(d);
      const env = await addEnv(d, 'org_a', ['running', 'stopped']);
      await foldVmCounts(d.engine, d.db);
      const { vms } = d.t;
      await d.db.update(vms).set({ ip: '10.0.0.9' }).where(eq(vms.envId, env));
      await d.db
        .update(vms)
        .set({ state: 'running' })
        .where(eq(vms.id, `${env}-0`));
      expect(await deltaRows(d)).toBe(0);
      await d.db.update(vms).set({ state: 'running' }).where(eq(vms.envId, env));
      // The stopped one moved: -1 stopped, +1 running.
      expect(await deltaRows(d)).toBe(2);
    });
  });

  it('fold every delta into the base counts, leaving none, the counts unchanged', async () => {
    await withDb(open, async (d) => {
      await addOrgs(d);
      for (let i = 0; i < 20; i++)
        await addEnv(d, i % 2 ? 'org_a' : 'org_b', ['running', 'failed']);
      const before = await readVmCounts(d.engine, d.db, 'org_a');
      expect(before.deltas).toBe(20);
      expect(await foldVmCounts(d.engine, d.db)).toBe(40);
      expect(await readVmCounts(d.engine, d.db, 'org_a')).toEqual({
        byState: before.byState,
        deltas: 0,
      });
      expect(await foldVmCounts(d.engine, d.db)).toBe(0);
      expect(await mismatch(d)).toBeNull();
      expect((await readVmCounts(d.engine, d.db, undefined)).byState).toEqual(await freshCounts(d));
    });
  });
});
