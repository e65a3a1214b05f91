import { ApiError, type InsufficientCapacityDetails } from '@apiary/protocol';
import { eq, like } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/context.js';
import type { Tx } from '../../src/db/database.js';
import { GroupCommit } from '../../src/services/placement/group-commit.js';
import { placeAndReserve } from '../../src/services/placement/place.js';
import type { VmDemand } from '../../src/services/placement/plan.js';
import { reserveOnHost } from '../../src/services/placement/reservations.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { defaultOrg } from '../helpers/placement-fixtures.js';

/*
 * Group commit (group-commit.ts): placements that arrive while a group is being written share
 * the next transaction, a savepoint each. These tests hold the first placement's transaction
 * open until the others have queued, so the group they form is known, then check that a member
 * that fails inside the group undoes only itself, and that members planned on the same stale
 * figures never overcommit a host. Both engines (APIARY_TEST_DB=postgres).
 */

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const DIGEST = `sha256:${'ef'.repeat(32)}`;
const demand = (cpu: number): VmDemand[] => [
  { cpu, mem: 1024, disk: 10_000, engine: 'bhyve', digest: DIGEST },
];

/** One group at a time, so that what queues behind the held first placement is one group. */
function serialGroups(ctx: Ctx): GroupCommit {
  ctx.placementCommits = new GroupCommit(ctx.db, { concurrentGroups: 1, maxMembers: 32 });
  return ctx.placementCommits;
}

/** What a placement writes besides its reservation: one marker row of its own. */
const marker = (ctx: Ctx, name: string) => async (tx: Tx) => {
  await tx.insert(ctx.t.meta).values({ key: `group-test-${name}`, value: 'placed' });
};

/** Starts a placement that holds its group's transaction open until `release` is called. */
function heldPlacement(ctx: Ctx, org: string) {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const placed = placeAndReserve(ctx, org, demand(1), async (tx) => {
    await marker(ctx, 'held')(tx);
    await held;
  });
  return { placed, release };
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The held placement's group has started (its transaction is open). */
const untilWriting = (commits: GroupCommit) =>
  until('the first group is written', () => commits.stats.groups === 1);
const untilQueued = (commits: GroupCommit, n: number) =>
  until(`${n} placements queued`, () => commits.queued === n);

async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'placed',
    (e: unknown) => (e instanceof ApiError ? e.code : String(e)),
  );
}

describe('group commit of placements', () => {
  it('rolls back only the member that failed: the rest of its group is placed', async () => {
    h = await createHarness();
    await h.addAgent({ hostId: 'host_group000000001', total: { cpu: 64, mem: 65_536, disk: 1e6 } });
    const ctx = h.core.ctx;
    const org = await defaultOrg(ctx);
    const commits = serialGroups(ctx);
    const first = heldPlacement(ctx, org);
    await untilWriting(commits);
    // Five placements queue behind it; the third reserves 3 vCPUs, writes its marker, then is
    // refused (as a create is when its name was taken meanwhile).
    const names = ['a', 'b', 'c', 'd', 'e'];
    const others = names.map((name) =>
      placeAndReserve(ctx, org, demand(name === 'c' ? 3 : 1), async (tx) => {
        await marker(ctx, name)(tx);
        if (name === 'c') throw new ApiError('conflict', 'environment c already exists');
      }),
    );
    await untilQueued(commits, names.length);
    first.release();
    expect(await first.placed).toEqual(['host_group000000001']);
    expect(await Promise.all(others.map(outcome))).toEqual([
      'placed',
      'placed',
      'conflict',
      'placed',
      'placed',
    ]);
    // The five were one group.
    expect(commits.stats.groups).toBe(2);
    expect(commits.stats.largest).toBe(names.length);
    const markers = await ctx.db
      .select({ key: ctx.t.meta.key })
      .from(ctx.t.meta)
      .where(like(ctx.t.meta.key, 'group-test-%'));
    expect(markers.map((m) => m.key).sort()).toEqual(
      ['held', 'a', 'b', 'd', 'e'].map((n) => `group-test-${n}`).sort(),
    );
    // Nothing of c's reservation remains: 1 vCPU for each of the five placed.
    const [host] = await ctx.db
      .select()
      .from(ctx.t.hosts)
      .where(eq(ctx.t.hosts.id, 'host_group000000001'));
    expect(host?.reservedCpu).toBe(5);
  });

  it('never overcommits a host when a whole group was planned on figures gone stale', async () => {
    h = await createHarness();
    await h.addAgent({ hostId: 'host_group000000002', total: { cpu: 4, mem: 65_536, disk: 1e6 } });
    const ctx = h.core.ctx;
    const org = await defaultOrg(ctx);
    const commits = serialGroups(ctx);
    // The held placement takes 1 vCPU, and 2 more behind the index's back (the reservation
    // statement, whose effect the index applies only when placement calls it): the index says
    // 3 free, the database will say 1.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = placeAndReserve(ctx, org, demand(1), async (tx) => {
      await marker(ctx, 'held')(tx);
      expect(await reserveOnHost(ctx, tx, 'host_group000000002', { cpu: 2, mem: 1, disk: 1 })).toBe(
        true,
      );
      await held;
    });
    await untilWriting(commits);
    const others = Array.from({ length: 3 }, (_, i) =>
      placeAndReserve(ctx, org, demand(1), marker(ctx, `n${i}`)),
    );
    // All three plan on the index's 3 free vCPUs and are written as one group.
    await untilQueued(commits, 3);
    release();
    await first;
    const results = await Promise.all(others.map(outcome));
    expect(commits.stats.largest).toBe(3);
    expect(results.filter((r) => r === 'placed')).toHaveLength(1);
    expect(results.filter((r) => r === 'insufficient_capacity')).toHaveLength(2);
    const refused = await others[results.indexOf('insufficient_capacity')]?.catch((e) => e);
    const details = (refused as ApiError).details as InsufficientCapacityDetails;
    expect(details.hosts[0]?.reasons.join('; ')).toMatch(/not enough cpu: needs 1 vCPUs?, 0 free/);
    const [host] = await ctx.db
      .select()
      .from(ctx.t.hosts)
      .where(eq(ctx.t.hosts.id, 'host_group000000002'));
    expect(host?.reservedCpu).toBe(4);
    const markers = await ctx.db
      .select({ key: ctx.t.meta.key })
      .from(ctx.t.meta)
      .where(like(ctx.t.meta.key, 'group-test-%'));
    expect(markers).toHaveLength(2);
  });

  it('lets placements of one group see each other: none loses its reservation to another', async () => {
    h = await createHarness();
    await h.addAgent({ hostId: 'host_group000000003', total: { cpu: 4, mem: 65_536, disk: 1e6 } });
    await h.addAgent({ hostId: 'host_group000000004', total: { cpu: 4, mem: 65_536, disk: 1e6 } });
    const ctx = h.core.ctx;
    const org = await defaultOrg(ctx);
    const commits = serialGroups(ctx);
    const first = heldPlacement(ctx, org);
    await untilWriting(commits);
    const retriedBefore = await retried(ctx);
    // Six 1-vCPU placements after the first: 7 of 8 vCPUs, planned before any of them commits.
    const others = Array.from({ length: 6 }, (_, i) =>
      placeAndReserve(ctx, org, demand(1), marker(ctx, `m${i}`)),
    );
    await untilQueued(commits, 6);
    first.release();
    await first.placed;
    expect(await Promise.all(others.map(outcome))).toEqual(Array(6).fill('placed'));
    // Each planned on the capacity the ones before it took: no reservation was lost.
    expect(await retried(ctx)).toBe(retriedBefore);
    const rows = await ctx.db.select().from(ctx.t.hosts);
    expect(rows.reduce((a, r) => a + r.reservedCpu, 0)).toBe(7);
  });
});

async function retried(ctx: Ctx): Promise<number> {
  const metric = await ctx.metrics.placements.get();
  return metric.values.find((v) => v.labels.result === 'retried')?.value ?? 0;
}
