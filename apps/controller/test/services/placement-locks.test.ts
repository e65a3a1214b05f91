import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { placeAndReserve } from '../../src/services/placement/place.js';
import type { VmDemand } from '../../src/services/placement/plan.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { defaultOrg } from '../helpers/placement-fixtures.js';
import { testEngine } from '../helpers/test-db.js';

/*
 * Issue 18: on PostgreSQL, creates stalled for seconds behind host row locks. A placement's
 * reservation locks its hosts' rows until its transaction commits; every other placement on
 * those hosts (in any controller) waits that long. These tests hold a placement's transaction
 * open and require the others to go through meanwhile: the lock is taken by the last statement
 * (not across the environment's own writes), and no placement's transaction carries another's.
 * PostgreSQL only: SQLite has one connection, one transaction at a time by design.
 */

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ONE_VM: VmDemand[] = [{ cpu: 1, mem: 1024, disk: 10_000, engine: 'bhyve', digest: DIGEST }];

/** A gate a placement's writes wait at, and a signal that they reached it. */
function gate() {
  let open = () => {};
  let reached = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const atGate = new Promise<void>((resolve) => {
    reached = resolve;
  });
  return { open, opened, reached, atGate };
}

/** Settles with the placement's hosts, or 'stalled' if it is still waiting after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'stalled'> {
  return Promise.race([p, new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), ms))]);
}

describe.runIf(testEngine() === 'postgres')('placement and host row locks (PostgreSQL)', () => {
  it('places on a host while another placement on it is still writing its environment', async () => {
    h = await createHarness();
    const hostId = 'host_locks00000001';
    await h.addAgent({ hostId, total: { cpu: 8, mem: 65_536, disk: 1e6 } });
    const ctx = h.core.ctx;
    const org = await defaultOrg(ctx);
    const slow = gate();
    const first = placeAndReserve(ctx, org, ONE_VM, async () => {
      slow.reached();
      await slow.opened;
    });
    await slow.atGate;
    try {
      // Only one host: the second placement needs the very row the first will reserve.
      expect(
        await within(
          placeAndReserve(ctx, org, ONE_VM, async () => {}),
          3_000,
        ),
      ).toEqual([hostId]);
    } finally {
      slow.open();
    }
    expect(await first).toEqual([hostId]);
    const [host] = await ctx.db.select().from(ctx.t.hosts).where(eq(ctx.t.hosts.id, hostId));
    expect(host?.reservedCpu).toBe(2);
  });

  it('commits each placement in a transaction of its own, never in another placement’s', async () => {
    h = await createHarness();
    await h.addAgent({ hostId: 'host_locks00000002', total: { cpu: 64, mem: 262_144, disk: 1e7 } });
    const ctx = h.core.ctx;
    const org = await defaultOrg(ctx);
    // Every transaction slot placement has is taken by a placement held in its writes; two
    // more queue. On SQLite they would be written together, one group.
    const slots = Math.max(1, Math.floor(h.database.connections().max / 2));
    const held = Array.from({ length: slots }, () => gate());
    const holding = held.map((g) =>
      placeAndReserve(ctx, org, ONE_VM, async () => {
        g.reached();
        await g.opened;
      }),
    );
    await Promise.all(held.map((g) => g.atGate));
    const slowQueued = gate();
    const queued = [
      placeAndReserve(ctx, org, ONE_VM, async () => {}),
      placeAndReserve(ctx, org, ONE_VM, async () => {
        slowQueued.reached();
        await slowQueued.opened;
      }),
    ];
    const deadline = Date.now() + 5_000;
    while (ctx.placementCommits.queued < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(ctx.placementCommits.queued).toBe(2);
    held[0]?.open();
    try {
      // The first queued placement must not wait for the second's writes (and COMMIT with it).
      expect(await within(queued[0] as Promise<string[]>, 3_000)).toEqual(['host_locks00000002']);
    } finally {
      slowQueued.open();
      for (const g of held) g.open();
    }
    await Promise.all([...holding, ...queued]);
    expect(ctx.placementCommits.stats.largest).toBe(1);
  });
});
