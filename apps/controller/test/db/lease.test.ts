import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { Lease } from '../../src/services/leases/lease.js';
import { engines, withDb } from './engine-fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(engines())('leases on %s', (_name, open) => {
  it('has one holder at a time; an expired lease is taken with a higher epoch', async () => {
    await withDb(open, async (d) => {
      const a = new Lease(d, 'reaper', 'ctl-a', 300);
      const b = new Lease(d, 'reaper', 'ctl-b', 300);
      expect(await a.acquireOrRenew()).toBe(true);
      expect(a.epoch).toBe(1);
      expect(await b.acquireOrRenew()).toBe(false);
      expect(await a.acquireOrRenew()).toBe(true);
      expect(a.epoch).toBe(1);
      await sleep(400);
      expect(await b.acquireOrRenew()).toBe(true);
      expect(b.epoch).toBe(2);
      // The old holder wakes up: it cannot renew, and it learns it lost the lease.
      expect(await a.acquireOrRenew()).toBe(false);
      expect(a.epoch).toBeNull();
    });
  });

  it('refuses the writes of a holder whose lease was taken over while it was paused', async () => {
    await withDb(open, async (d) => {
      const { db, t } = d;
      await db.insert(t.meta).values({ key: 'k', value: 'start' });
      const a = new Lease(d, 'drain', 'ctl-a', 300);
      expect(await a.acquireOrRenew()).toBe(true);
      const write = (lease: Lease, value: string) =>
        db
          .update(t.meta)
          .set({ value })
          .where(sql`${eq(t.meta.key, 'k')} AND ${lease.fence()}`)
          .returning({ key: t.meta.key });
      expect(await write(a, 'by a')).toHaveLength(1);
      // a is "paused" past its lease; b takes it over.
      await sleep(400);
      const b = new Lease(d, 'drain', 'ctl-b', 300);
      expect(await b.acquireOrRenew()).toBe(true);
      // a wakes up still believing it holds epoch 1: its write is refused by the database.
      expect(a.epoch).toBe(1);
      expect(await write(a, 'by a, late')).toHaveLength(0);
      expect(await write(b, 'by b')).toHaveLength(1);
      const [row] = await db.select().from(t.meta).where(eq(t.meta.key, 'k'));
      expect(row?.value).toBe('by b');
    });
  });

  it('lets another holder in at once after a release', async () => {
    await withDb(open, async (d) => {
      const a = new Lease(d, 'poll', 'ctl-a', 60_000);
      const b = new Lease(d, 'poll', 'ctl-b', 60_000);
      expect(await a.acquireOrRenew()).toBe(true);
      await a.release();
      expect(await b.acquireOrRenew()).toBe(true);
      expect(b.epoch).toBe(2);
    });
  });
});
