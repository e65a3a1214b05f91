import type { Host } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { defaultOrg, hostRow } from '../helpers/placement-fixtures.js';

/*
 * What a host's view shows from other tables (images, orphans, its latest drain) is read in the
 * host's own statement as JSON the database builds (host-facts.ts). Every field must come back
 * as the view promises it on both engines: images sorted, orphans by VM id with booleans, JSON
 * and timestamps as they were stored, the drain only of a host that is not eligible and only
 * its latest; the count right on every page, past the end included, and
 * right again after a host is added (it is kept between requests).
 */

let h: Harness;
afterEach(async () => h?.close());

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const at = (ms: number) => new Date(ms).toISOString();

async function seed() {
  h = await createHarness();
  const { ctx } = h.core;
  const t = ctx.t;
  const orgId = await defaultOrg(ctx);
  await ctx.db.insert(t.hosts).values([
    { ...hostRow(orgId, 'host_facts_a', T0), policy: 'eligible' },
    { ...hostRow(orgId, 'host_facts_b', T0), policy: 'draining' },
    { ...hostRow(orgId, 'host_facts_c', T0), policy: 'maintenance' },
  ]);
  await ctx.db.insert(t.hostImages).values([
    { hostId: 'host_facts_a', digest: `sha256:${'f'.repeat(64)}` },
    { hostId: 'host_facts_a', digest: `sha256:${'0'.repeat(64)}` },
    { hostId: 'host_facts_b', digest: `sha256:${'9'.repeat(64)}` },
  ]);
  await ctx.db.insert(t.hostOrphans).values([
    {
      hostId: 'host_facts_a',
      vmId: 'zz-last',
      apiary: true,
      zoneState: 'running',
      holds: ['zone (running)', 'dataset rpool/apiary/zz-last'],
      firstSeenAt: T0 + 1,
      lastSeenAt: T0 + 2,
      removalAt: T0 + 3,
      removalError: 'zoneadm: zone "zz-last": busy',
    },
    {
      hostId: 'host_facts_a',
      vmId: 'aa-first',
      apiary: false,
      zoneState: null,
      holds: [],
      firstSeenAt: T0 + 4,
      lastSeenAt: T0 + 5,
      removalAt: null,
      removalError: null,
    },
  ]);
  const drain = (id: string, hostId: string, startedAt: number) => ({
    id,
    hostId,
    mode: 'wait' as const,
    state: 'complete' as const,
    startedAt,
    finishedAt: startedAt + 10,
    vmIds: [],
  });
  await ctx.db
    .insert(t.drains)
    .values([
      drain('drain_a_old', 'host_facts_a', T0 + 100),
      drain('drain_b_old', 'host_facts_b', T0 + 100),
      drain('drain_b_new', 'host_facts_b', T0 + 200),
    ]);
}

async function page(query: string): Promise<{ items: Host[]; total: number }> {
  const res = await h.req('GET', `/v1/hosts?${query}`);
  expect(res.status).toBe(200);
  return json(res);
}

describe('host views', () => {
  it('carry images, orphans and the latest drain read in the host’s own statement', async () => {
    await seed();
    const { items, total } = await page('limit=100');
    expect(total).toBe(3);
    const [a, b, c] = items;
    expect(a?.images).toEqual([`sha256:${'0'.repeat(64)}`, `sha256:${'f'.repeat(64)}`]);
    expect(a?.orphans).toEqual([
      {
        id: 'aa-first',
        apiary: false,
        zone_state: null,
        holds: [],
        first_seen_at: at(T0 + 4),
        last_seen_at: at(T0 + 5),
        removal_requested_at: null,
        removal_error: null,
      },
      {
        id: 'zz-last',
        apiary: true,
        zone_state: 'running',
        holds: ['zone (running)', 'dataset rpool/apiary/zz-last'],
        first_seen_at: at(T0 + 1),
        last_seen_at: at(T0 + 2),
        removal_requested_at: at(T0 + 3),
        removal_error: 'zoneadm: zone "zz-last": busy',
      },
    ]);
    // An eligible host shows no drain, even one it had; a draining one its latest.
    expect(a?.drain).toBeNull();
    expect(b?.drain?.started_at).toBe(at(T0 + 200));
    expect(b?.images).toEqual([`sha256:${'9'.repeat(64)}`]);
    expect(b?.orphans).toEqual([]);
    expect(c).toMatchObject({ images: [], orphans: [], drain: null });
    // One host's view is the page's view of it.
    for (const host of items) {
      const one = await h.req('GET', `/v1/hosts/${host.id}`);
      expect(await json(one)).toEqual(host);
    }
  });

  it('count every host on every page, past the last one too', async () => {
    await seed();
    expect(await page('limit=1')).toMatchObject({ total: 3, items: [{ id: 'host_facts_a' }] });
    expect(await page('limit=1&offset=2')).toMatchObject({
      total: 3,
      items: [{ id: 'host_facts_c' }],
    });
    expect(await page('limit=10&offset=5')).toEqual({
      items: [],
      total: 3,
      limit: 10,
      offset: 5,
    });
    expect((await page('limit=10&policy=draining')).total).toBe(1);
    // The count is kept between requests, and a new host is counted at once...
    const { ctx } = h.core;
    await ctx.db.insert(ctx.t.hosts).values(hostRow(await defaultOrg(ctx), 'host_facts_d', T0));
    expect((await page('limit=1')).total).toBe(4);
    expect((await page('limit=10&offset=5')).total).toBe(4);
    // ...a changed policy moves it between the filters, and a removed host leaves it.
    const { hosts } = ctx.t;
    await ctx.db.update(hosts).set({ policy: 'draining' }).where(eq(hosts.id, 'host_facts_d'));
    expect((await page('limit=10&policy=draining')).total).toBe(2);
    await ctx.db.delete(hosts).where(eq(hosts.id, 'host_facts_d'));
    expect((await page('limit=10&policy=draining')).total).toBe(1);
    expect((await page('limit=1')).total).toBe(3);
  });

  it('read a page of eligible hosts in one statement, as many as one host takes', async () => {
    await seed();
    const statements = async (path: string) => {
      await h.req('GET', path);
      const before = h.database.statements();
      await h.req('GET', path);
      return h.database.statements() - before;
    };
    const onePage = await statements('/v1/hosts?limit=100&policy=eligible');
    expect(onePage).toBe(await statements('/v1/hosts/host_facts_a'));
    // A 404: the credential's read and one of the host's row.
    expect(onePage).toBe(await statements('/v1/hosts/host_unknown'));
  });
});
