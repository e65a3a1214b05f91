import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { planPlacement } from '../../src/services/placement/plan.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { DIGEST, defaultOrg, demand, hostRow } from '../helpers/placement-fixtures.js';
import { testEngine } from '../helpers/test-db.js';

/*
 * A host that cannot take the smallest VM there is (its CPU all reserved, drained, down) is
 * parked out of the candidate index's walks. Binpack walks from the least free memory that fits,
 * and the hosts whose CPU ran out first still had memory: every placement walked past all of
 * them, more after each one. Parked, they cost nothing; given room again, they are offered again.
 */

let h: Harness;
afterEach(async () => h?.close());

const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const HOSTS = 1_000;
const FULL = 900;
const BIG = 'host_park_big';

describe('the candidate index parks hosts that can take no VM', () => {
  // The index's figures are changed here by telling it of reservations only; on PostgreSQL the
  // change feed of the hosts this test inserts would read the database's figures back over them.
  it.skipIf(testEngine() === 'postgres')(
    'walks past none of them, and offers one again once it has room',
    async () => {
      h = await createHarness();
      const { ctx } = h.core;
      const orgId = await defaultOrg(ctx);
      const ids = Array.from({ length: HOSTS }, (_, i) => `host_park${String(i).padStart(5, '0')}`);
      for (let i = 0; i < ids.length; i += 500) {
        await ctx.db
          .insert(ctx.t.hosts)
          .values(ids.slice(i, i + 500).map((id) => hostRow(orgId, id, T0)));
      }
      await ctx.db.insert(ctx.t.hosts).values({ ...hostRow(orgId, BIG, T0), totalMem: 262_144 });
      // Every host holds the image asked for: the walk over its holders meets the full ones too.
      const holders = [...ids, BIG].map((hostId) => ({ hostId, digest: DIGEST }));
      for (let i = 0; i < holders.length; i += 500) {
        await ctx.db.insert(ctx.t.hostImages).values(holders.slice(i, i + 500));
      }
      const index = ctx.candidates;
      await index.current(ctx);
      const loads = index.loads;

      // Every CPU of the first FULL hosts reserved, a little of their memory too: they now have
      // the least free memory of all, where binpack's walk starts.
      const full = ids.slice(0, FULL);
      for (const id of full) index.reserved(id, { cpu: 32, mem: 2_048, disk: 0 });
      let walked = index.walked;
      const binpack = index.candidates(ctx, orgId, demand(1), 'binpack');
      expect(binpack.length).toBeGreaterThan(0);
      expect(binpack.every((c) => !full.includes(c.id))).toBe(true);
      // Eight from each walk (the image's holders, the best by free memory), none passed by.
      expect(index.walked - walked).toBeLessThanOrEqual(16);

      // One of them given two CPUs back: the least free memory that fits, binpack's choice.
      const back = full[417] as string;
      index.reserved(back, { cpu: -2, mem: 0, disk: 0 });
      walked = index.walked;
      const offered = index.candidates(ctx, orgId, demand(1), 'binpack');
      expect(offered.find((c) => c.id === back)?.free).toMatchObject({
        cpu: 2,
        mem: 131_072 - 2_048,
      });
      expect(planPlacement(offered, demand(1), orgId, 'binpack')).toEqual({
        ok: true,
        hostIds: [back],
      });
      expect(index.walked - walked).toBeLessThanOrEqual(16);

      // Drained, the host with the most free memory is parked (read again by id, not in full);
      // eligible again, it is spread's choice again.
      const setPolicy = (policy: 'maintenance' | 'eligible') =>
        ctx.db.update(ctx.t.hosts).set({ policy }).where(eq(ctx.t.hosts.id, BIG));
      await setPolicy('maintenance');
      await index.current(ctx);
      const spread = index.candidates(ctx, orgId, demand(1), 'spread');
      expect(spread.map((c) => c.id)).not.toContain(BIG);
      await setPolicy('eligible');
      await index.current(ctx);
      const again = index.candidates(ctx, orgId, demand(1), 'spread');
      expect(planPlacement(again, demand(1), orgId, 'spread')).toEqual({
        ok: true,
        hostIds: [BIG],
      });
      expect(index.loads).toBe(loads);
    },
  );
});
