import { ApiError, type InsufficientCapacityDetails } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { placeAndReserve } from '../../src/services/placement/place.js';
import { reserveOnHost } from '../../src/services/placement/reservations.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { defaultOrg, demand, nothing, SecondControllers } from '../helpers/placement-fixtures.js';
import { testEngine } from '../helpers/test-db.js';

/*
 * Each controller chooses hosts from its own in-memory candidate index. These tests make the
 * index of a second controller stale on purpose and check that it never places on what the
 * database no longer offers: capacity another controller reserved (the conditional write
 * refuses, the host is read again), and a host moved to another organization (PostgreSQL: the
 * change feed names it to the other controller).
 */

let h: Harness;
const seconds = new SecondControllers();
afterEach(async () => {
  await seconds.close();
  await h?.close();
});

async function refusalOf(p: Promise<unknown>): Promise<InsufficientCapacityDetails> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).code).toBe('insufficient_capacity');
  return (error as ApiError).details as InsufficientCapacityDetails;
}

describe('the candidate index of two controllers on one database', () => {
  it('never overcommits a host the other controller filled after this one read it', async () => {
    h = await createHarness();
    await h.addAgent({
      hostId: 'host_stale000000001',
      total: { cpu: 4, mem: 8192, disk: 200_000 },
    });
    const a = h.core.ctx;
    const b = await seconds.open(h);
    const org = await defaultOrg(a);
    // B reads its index and reserves 2 of 4 vCPUs; A then takes the other 2.
    expect(await placeAndReserve(b, org, demand(2), nothing)).toEqual(['host_stale000000001']);
    const loadsBefore = b.candidates.loads;
    expect(await placeAndReserve(a, org, demand(2), nothing)).toEqual(['host_stale000000001']);
    // A's reservation does not touch B's index: B still believes 2 vCPUs are free.
    // The database refuses B's reservation; B reads the host again and refuses with reasons.
    const details = await refusalOf(placeAndReserve(b, org, demand(2), nothing));
    expect(b.candidates.loads).toBe(loadsBefore);
    expect(details.hosts.map((x) => x.host_id)).toEqual(['host_stale000000001']);
    expect(details.hosts[0]?.reasons.join('; ')).toMatch(/not enough cpu: needs 2 vCPUs, 0 free/);
    const [row] = await a.db.select().from(a.t.hosts);
    expect(row?.reservedCpu).toBe(4);
  });

  it('reserves nothing on the other hosts of a placement when one host no longer has room', async () => {
    h = await createHarness();
    const ids = [1, 2, 3].map((i) => `host_stale00000001${i}`);
    for (const hostId of ids) {
      await h.addAgent({ hostId, total: { cpu: 4, mem: 8192, disk: 200_000 } });
    }
    const a = h.core.ctx;
    const b = await seconds.open(h);
    const org = await defaultOrg(a);
    await b.candidates.current(b);
    // A fills the third host with the reservation statement (B's index is not told).
    expect(await reserveOnHost(a, a.db, ids[2] as string, { cpu: 4, mem: 1024, disk: 1 })).toBe(
      true,
    );
    // B spreads three VMs over the three hosts (one statement on PostgreSQL, one a host on
    // SQLite); the third refuses, so the whole transaction rolls back, B reads that host again
    // and puts the VMs on the other two.
    const placed = await placeAndReserve(
      b,
      org,
      [...demand(2), ...demand(2), ...demand(2)],
      nothing,
    );
    expect(placed).not.toContain(ids[2]);
    const rows = await a.db.select().from(a.t.hosts);
    const reserved = Object.fromEntries(rows.map((r) => [r.id, r.reservedCpu]));
    expect(reserved[ids[2] as string]).toBe(4);
    expect((reserved[ids[0] as string] ?? 0) + (reserved[ids[1] as string] ?? 0)).toBe(6);
  });

  it.skipIf(testEngine() === 'sqlite')(
    'hears through the change feed that the other controller moved a host to another organization',
    async () => {
      h = await createHarness();
      await h.addAgent({
        hostId: 'host_stale000000002',
        total: { cpu: 8, mem: 8192, disk: 200_000 },
      });
      const b = await seconds.open(h);
      const org = await defaultOrg(b);
      expect(await placeAndReserve(b, org, demand(1), nothing)).toEqual(['host_stale000000002']);
      const loadsBefore = b.candidates.loads;
      const orgB = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'Org B' }));
      const moved = await h.req('PATCH', '/v1/hosts/host_stale000000002', { org_id: orgB.id });
      expect(moved.status).toBe(200);
      // The commit's notification reaches B a moment later, naming the host: B reads it again.
      const deadline = Date.now() + 5_000;
      while (b.candidates.staleHosts() === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(b.candidates.staleHosts()).toBe(1);
      const details = await refusalOf(placeAndReserve(b, org, demand(1), nothing));
      expect(b.candidates.loads).toBe(loadsBefore);
      expect(details.hosts).toEqual([]);
    },
  );
});
