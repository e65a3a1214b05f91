import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.js';
import { hostRow } from '../helpers/placement-fixtures.js';

/*
 * The fleet lists and the status answer run a fixed number of statements, however large the
 * fleet: a page reads its rows and what they show in a handful of batched queries, the status
 * aggregates in the database. Counted with the database's statement counter (drizzle's query
 * logger), for a small fleet and a fleet twenty times larger.
 */

let h: Harness;
afterEach(async () => h?.close());

const ROUTES = ['/v1/hosts?limit=100', '/v1/envs?limit=100', '/v1/status'];

/** Hosts, 3 environments per host and 3 VMs per environment, straight into the database. */
async function addFleet(from: number, to: number) {
  const { ctx } = h.core;
  const t = ctx.t;
  const orgId = (await ctx.db.select().from(t.meta)).find((m) => m.key === 'default_org_id')
    ?.value as string;
  const now = ctx.clock.now();
  for (let i = from; i < to; i++) {
    const hostId = `host_count${String(i).padStart(6, '0')}`;
    await ctx.db.insert(t.hosts).values({
      ...hostRow(orgId, hostId, now),
      liveness: i % 7 === 0 ? 'down' : 'ready',
      policy: i % 5 === 0 ? 'maintenance' : 'eligible',
    });
    for (let e = 0; e < 3; e++) {
      const envId = `env_count${String(i).padStart(6, '0')}${e}`;
      await ctx.db.insert(t.envs).values({
        id: envId,
        name: `env-${i}-${e}`,
        orgId,
        state: e === 2 ? 'stopped' : 'active',
        sshKeys: [],
        lifetime: 3600,
        onFailure: 'rollback',
        createdAt: now + i * 3 + e,
        expiresAt: now + 3_600_000,
        updatedAt: now,
      });
      await ctx.db.insert(t.vms).values(
        [0, 1, 2].map((idx) => ({
          id: `${envId}-${idx}`,
          name: `env-${i}-${e}-${idx}`,
          envId,
          idx,
          orgId,
          hostId,
          image: 'alpine-cloud',
          engine: 'bhyve',
          cpu: 1,
          mem: 1024,
          disk: 10_000,
          ports: [22],
          denyOutgoing: false,
          state: e === 2 ? 'stopped' : 'running',
          portMap: {},
          createdAt: now,
          updatedAt: now,
        })),
      );
    }
  }
}

/**
 * Statements one request of each route runs (after a first, unrecorded one warms caches, and the
 * work it left in the background is done: status folds the VM count deltas of a large fleet).
 */
async function countStatements(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const path of ROUTES) {
    expect((await h.req('GET', path)).status).toBe(200);
    await h.idle();
    const before = h.database.statements();
    const res = await h.req('GET', path);
    expect(res.status).toBe(200);
    counts[path] = h.database.statements() - before;
  }
  return counts;
}

describe('fleet lists and status', () => {
  it('run the same small number of statements for 10 hosts and for 200', async () => {
    h = await createHarness();
    await addFleet(0, 10);
    const small = await countStatements();
    await addFleet(10, 200);
    const large = await countStatements();
    expect(large).toEqual(small);
    for (const n of Object.values(large)) expect(n).toBeLessThanOrEqual(10);
  });
});
