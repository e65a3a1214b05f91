import { ApiError, type UsageSummary } from '@apiary/protocol';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { storeCredentials } from '../../src/services/hosts/host-credential.js';
import { persistTransitions } from '../../src/services/hosts/persist-liveness.js';
import { placeAndReserve } from '../../src/services/placement/place.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { defaultOrg, demand, nothing, SecondControllers } from '../helpers/placement-fixtures.js';
import { testEngine } from '../helpers/test-db.js';

/*
 * A live fleet writes its hosts all the time (usage summaries, liveness, inventories,
 * credential rotations). The candidate index must not read every host again for each such
 * write (10,000 hosts: 50–150 ms), yet a change that matters to placement must be seen by the
 * very next placement, here and (PostgreSQL) on another controller.
 */

let h: Harness;
const seconds = new SecondControllers();
afterEach(async () => {
  await seconds.close();
  await h?.close();
});
const BIG = 'host_writes00000001';
const SMALL = 'host_writes00000002';

const usage = (cpu: number): UsageSummary => ({
  sampled_at: new Date().toISOString(),
  cpu_percent: cpu,
  mem_used_bytes: 1024,
  mem_total_bytes: 8192,
  net_rx_bytes_per_s: null,
  net_tx_bytes_per_s: null,
});

/** Two hosts: spread prefers BIG (more free memory) while it is placeable. */
async function twoHosts() {
  h = await createHarness();
  const big = await h.addAgent({ hostId: BIG, total: { cpu: 16, mem: 65_536, disk: 500_000 } });
  const small = await h.addAgent({ hostId: SMALL, total: { cpu: 8, mem: 16_384, disk: 500_000 } });
  return { big, small };
}

async function waitFor(what: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(what()).toBe(true);
}

describe('the candidate index under host writes', () => {
  it('reads only the host written for a usage summary or an inventory, nothing for a credential', async () => {
    const { big } = await twoHosts();
    const a = h.core.ctx;
    const org = await defaultOrg(a);
    expect(await placeAndReserve(a, org, demand(1), nothing)).toEqual([BIG]);
    const loads = a.candidates.loads;
    await storeCredentials(a, BIG, { credentialRotateAt: a.clock.now() });
    expect(a.candidates.staleHosts()).toBe(0);
    expect(a.candidates.stale()).toBe(false);
    await h.heartbeat(big.agent, big.credential, true, usage(42));
    expect(a.candidates.stale()).toBe(false);
    expect(a.candidates.staleHosts()).toBe(1);
    const reads = a.candidates.hostReads;
    expect(await placeAndReserve(a, org, demand(1), nothing)).toEqual([BIG]);
    expect(a.candidates.loads).toBe(loads);
    expect(a.candidates.hostReads - reads).toBe(1);
  });

  it('sees a policy, liveness or organization change of one host at the next placement, reading that host only', async () => {
    await twoHosts();
    const a = h.core.ctx;
    const org = await defaultOrg(a);
    expect(await placeAndReserve(a, org, demand(1), nothing)).toEqual([BIG]);
    const loads = a.candidates.loads;
    const drained = await h.req('POST', `/v1/hosts/${BIG}/drain`, {
      mode: 'wait',
      deadline_seconds: 3600,
    });
    expect(drained.status).toBe(202);
    expect(await placeAndReserve(a, org, demand(1), nothing)).toEqual([SMALL]);
    await persistTransitions(a, [{ hostId: SMALL, from: 'ready', to: 'down' }]);
    const refused = await placeAndReserve(a, org, demand(1), nothing).catch((e: unknown) => e);
    expect((refused as ApiError).code).toBe('insufficient_capacity');
    await persistTransitions(a, [{ hostId: SMALL, from: 'down', to: 'ready' }]);
    const orgB = await json<{ id: string }>(await h.req('POST', '/v1/orgs', { name: 'Org B' }));
    expect((await h.req('PATCH', `/v1/hosts/${SMALL}`, { org_id: orgB.id })).status).toBe(200);
    // Moved: placed for its new organization, no longer for the old one; the index itself offers
    // it for the new one (the full pass over the database would also find it, slowly).
    expect(await placeAndReserve(a, orgB.id, demand(1), nothing)).toEqual([SMALL]);
    expect(a.candidates.candidates(a, orgB.id, demand(1), 'spread').map((c) => c.id)).toEqual([
      SMALL,
    ]);
    expect(a.candidates.candidates(a, org, demand(1), 'spread')).toEqual([]);
    const gone = await placeAndReserve(a, org, demand(1), nothing).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ApiError);
    expect(a.candidates.loads).toBe(loads);
  });

  it('reads every host again after a write it cannot attribute to hosts', async () => {
    await twoHosts();
    const a = h.core.ctx;
    const org = await defaultOrg(a);
    await placeAndReserve(a, org, demand(1), nothing);
    const loads = a.candidates.loads;
    await a.db.update(a.t.hosts).set({ policy: 'maintenance' });
    expect(a.candidates.stale()).toBe(true);
    const refused = await placeAndReserve(a, org, demand(1), nothing).catch((e: unknown) => e);
    expect((refused as ApiError).code).toBe('insufficient_capacity');
    expect(a.candidates.loads).toBe(loads + 1);
  });

  it.skipIf(testEngine() === 'sqlite')(
    'hears the ids of the hosts another controller changed, and reads only those',
    async () => {
      const { big } = await twoHosts();
      const b = await seconds.open(h);
      const org = await defaultOrg(b);
      expect(await placeAndReserve(b, org, demand(1), nothing)).toEqual([BIG]);
      const loads = b.candidates.loads;
      // Once the registrations' notifications are in, a credential rotation on A tells B nothing.
      await new Promise((r) => setTimeout(r, 300));
      await b.candidates.current(b);
      await storeCredentials(h.core.ctx, SMALL, { credentialRotateAt: 1 });
      await new Promise((r) => setTimeout(r, 300));
      expect(b.candidates.staleHosts()).toBe(0);
      expect(b.candidates.stale()).toBe(false);
      // A usage summary on A: B is told that host, not every host.
      await h.heartbeat(big.agent, big.credential, false, usage(17));
      await waitFor(() => b.candidates.staleHosts() > 0);
      expect(b.candidates.stale()).toBe(false);
      // A drains BIG: B's very next placement goes elsewhere, without a full read.
      const drained = await h.req('POST', `/v1/hosts/${BIG}/drain`, {
        mode: 'wait',
        deadline_seconds: 3600,
      });
      expect(drained.status).toBe(202);
      await waitFor(() => b.candidates.staleHosts() > 0);
      expect(await placeAndReserve(b, org, demand(1), nothing)).toEqual([SMALL]);
      expect(b.candidates.loads).toBe(loads);
    },
  );

  it.skipIf(testEngine() === 'sqlite')(
    'is told to read every host when one statement changes more hosts than a notification holds',
    async () => {
      await twoHosts();
      const b = await seconds.open(h);
      await b.candidates.current(b);
      const a = h.core.ctx;
      const { hosts } = a.t;
      const rows = Array.from({ length: 400 }, (_, i) => ({
        id: `host_bulk${String(i).padStart(10, '0')}`,
        hostname: `bulk-${i}.example`,
        addr: `http://bulk-${i}.test:9100`,
        publicAddr: `10.9.${i >> 8}.${i & 255}`,
        source: 'added' as const,
        liveness: 'ready' as const,
        policy: 'eligible' as const,
        engines: ['bhyve'],
        storage: 'zvol' as const,
        agentVersion: '1',
        apiVersion: '1',
        registeredAt: 1,
        updatedAt: 1,
      }));
      await a.db.insert(hosts).values(rows);
      await waitFor(() => b.candidates.stale());
      // Two hosts in one statement fit a notification: named.
      await b.candidates.current(b);
      const loads = b.candidates.loads;
      await a.db.execute(
        sql.raw(`UPDATE hosts SET policy = 'maintenance' WHERE id IN ('${BIG}', '${SMALL}')`),
      );
      await waitFor(() => b.candidates.staleHosts() === 2);
      await b.candidates.current(b);
      expect(b.candidates.loads).toBe(loads);
    },
  );
});
