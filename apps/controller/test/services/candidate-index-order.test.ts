import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.js';
import { defaultOrg, demand, hostRow } from '../helpers/placement-fixtures.js';
import { testEngine } from '../helpers/test-db.js';

/*
 * The candidate index keeps each organization's hosts in free-memory order and moves a host
 * when a reservation changes its figures: a short way by shifting the hosts in between, a long
 * way (across a run of identical hosts) by taking it out and putting it back. Whatever the way,
 * the order must hold: spread must then offer the host with the most free memory, binpack the
 * one with the least that fits, and the index must never find a host out of place (it would
 * read every host again).
 */

let h: Harness;
afterEach(async () => h?.close());

const T0 = Date.UTC(2026, 11, 7, 5, 0, 0);
// More identical hosts than a host moves by shifting (SHIFT_AT_MOST), so both ways are taken.
const HOSTS = 2_600;

describe('the candidate index under reservations', () => {
  // The order is the same code on both engines. On PostgreSQL the change feed of the hosts this
  // test inserts arrives meanwhile and re-reads them, putting the database's figures back over
  // the reservations this test only tells the index about.
  it.skipIf(testEngine() === 'postgres')(
    'keeps every host in free-memory order, moved a short or a long way',
    async () => {
      h = await createHarness();
      const { ctx } = h.core;
      const orgId = await defaultOrg(ctx);
      const ids = Array.from(
        { length: HOSTS },
        (_, i) => `host_order${String(i).padStart(6, '0')}`,
      );
      for (let i = 0; i < ids.length; i += 500) {
        await ctx.db
          .insert(ctx.t.hosts)
          .values(ids.slice(i, i + 500).map((id) => hostRow(orgId, id, T0)));
      }
      const index = ctx.candidates;
      await index.current(ctx);
      const loads = index.loads;
      // The model: every host's free memory, as the index should see it.
      const free = new Map(ids.map((id) => [id, 131_072]));
      let seed = 7;
      const random = (n: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed % n;
      };
      for (let k = 0; k < 600; k++) {
        // Mostly taking memory (the host moves left, often past the whole run of full hosts),
        // sometimes giving it back (it moves right).
        const id = ids[k < 20 ? HOSTS - 1 - k : random(HOSTS)] as string;
        const have = free.get(id) as number;
        const mem = k % 5 === 4 ? -Math.min(131_072 - have, 1 + random(4_096)) : 1 + random(4_096);
        if (have - mem < 0) continue;
        index.reserved(id, { cpu: 0, mem, disk: 0 });
        free.set(id, have - mem);
      }
      await index.current(ctx);
      expect(index.loads).toBe(loads);
      const byFree = [...free].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
      const most = byFree[byFree.length - 1] as [string, number];
      const [spreadFirst] = index.candidates(ctx, orgId, demand(1), 'spread');
      expect(spreadFirst?.id).toBe(most[0]);
      expect(spreadFirst?.free.mem).toBe(most[1]);
      const need = demand(1)[0]?.mem as number;
      const leastFitting = byFree.find(([, mem]) => mem >= need) as [string, number];
      const [binpackFirst] = index.candidates(ctx, orgId, demand(1), 'binpack');
      expect(binpackFirst?.id).toBe(leastFitting[0]);
    },
  );
});
