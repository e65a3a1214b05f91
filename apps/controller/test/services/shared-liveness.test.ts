import type { Host } from '@apiary/protocol';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { shareHeard } from '../../src/services/hosts/shared-liveness.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { testEngine } from '../helpers/test-db.js';

/*
 * Two controllers on one PostgreSQL database (the harness's, and a second core on the same
 * database with its own memory): an agent heartbeats to one of them only. The other must not
 * call the host silent, and must see it come back. On SQLite there is one controller only.
 */

let h: Harness;
afterEach(async () => h?.close());

describe.runIf(testEngine() === 'postgres')('liveness shared between controllers', () => {
  async function twoControllers() {
    h = await createHarness({ manualClock: true });
    const { agent, credential } = await h.addAgent({ hostId: 'host_shared000001' });
    const other = await h.anotherController();
    return { agent, credential, other };
  }

  it('does not call a host silent that heartbeats to another controller', async () => {
    const { agent, credential, other } = await twoControllers();
    for (let i = 0; i < 4; i++) {
      h.clock?.advance(1_500);
      await h.heartbeat(agent, credential, false);
      await h.core.exchangeLiveness();
      await other.exchangeLiveness();
      await other.sweep();
      await h.core.sweep();
      expect(other.ctx.liveness.state(agent.hostId)).toBe('ready');
    }
    const host = await json<Host>(await h.req('GET', `/v1/hosts/${agent.hostId}`));
    expect(host.liveness).toBe('ready');
    await other.stop();
  });

  it('brings back a host another controller hears from again', async () => {
    const { agent, credential, other } = await twoControllers();
    h.clock?.advance(3_000);
    await other.sweep();
    expect(other.ctx.liveness.state(agent.hostId)).toBe('suspect');
    await h.heartbeat(agent, credential, false);
    await h.core.exchangeLiveness();
    await other.exchangeLiveness();
    expect(other.ctx.liveness.state(agent.hostId)).toBe('ready');
    const host = await json<Host>(await h.req('GET', `/v1/hosts/${agent.hostId}`));
    expect(host.liveness).toBe('ready');
    await other.stop();
  });

  it('shares what it heard from every host in one statement per flush, only ever forward', async () => {
    const { agent, credential, other } = await twoControllers();
    const more = [];
    for (let i = 2; i <= 6; i++) more.push(await h.addAgent({ hostId: `host_shared00000${i}` }));
    h.clock?.advance(1_000);
    await h.core.exchangeLiveness();
    h.clock?.advance(1_000);
    await h.heartbeat(agent, credential, false);
    for (const m of more) await h.heartbeat(m.agent, m.credential, false);
    // One host's record is ahead already (another controller heard it later): it stays.
    const { hosts } = h.core.ctx.t;
    const ahead = (h.clock?.now() ?? 0) + 60_000;
    await h.core.ctx.db
      .update(hosts)
      .set({ lastHeartbeatAt: ahead })
      .where(eq(hosts.id, 'host_shared000006'));
    const before = h.database.writes();
    expect(await shareHeard(h.core.ctx)).toBe(6);
    expect(h.database.writes() - before).toBe(1);
    const rows = await h.core.ctx.db
      .select({ id: hosts.id, at: hosts.lastHeartbeatAt })
      .from(hosts);
    const at = Object.fromEntries(rows.map((r) => [r.id, Number(r.at)]));
    expect(at.host_shared000001).toBe(h.clock?.now());
    expect(at.host_shared000002).toBe(h.clock?.now());
    expect(at.host_shared000006).toBe(ahead);
    await other.stop();
  });

  it('never waits for a host row a placement holds: that host is shared at the next flush', async () => {
    h = await createHarness({ manualClock: true });
    const busy = await h.addAgent({ hostId: 'host_shared000010' });
    const free = await h.addAgent({ hostId: 'host_shared000011' });
    h.clock?.advance(1_000);
    await h.core.exchangeLiveness();
    h.clock?.advance(1_000);
    await h.heartbeat(busy.agent, busy.credential, false);
    await h.heartbeat(free.agent, free.credential, false);
    const heardAt = h.clock?.now();
    const { hosts } = h.core.ctx.t;
    // A placement's reservation on the busy host, its transaction still open.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const placement = h.core.ctx.db.transaction(async (tx) => {
      await tx
        .update(hosts)
        .set({ reservedCpu: sql`${hosts.reservedCpu} + 1` })
        .where(eq(hosts.id, busy.agent.hostId));
      locked();
      await held;
    });
    await isLocked;
    try {
      const shared = await Promise.race([
        shareHeard(h.core.ctx),
        new Promise<string>((resolve) => setTimeout(() => resolve('waited for the lock'), 3_000)),
      ]);
      expect(shared).toBe(1);
    } finally {
      release();
      await placement;
    }
    const at = async (id: string) =>
      (
        await h.core.ctx.db
          .select({ at: hosts.lastHeartbeatAt })
          .from(hosts)
          .where(eq(hosts.id, id))
      )[0]?.at;
    expect(Number(await at(free.agent.hostId))).toBe(heardAt);
    expect(Number(await at(busy.agent.hostId))).not.toBe(heardAt);
    // Skipped, not forgotten: the next flush shares it.
    expect(await shareHeard(h.core.ctx)).toBe(1);
    expect(Number(await at(busy.agent.hostId))).toBe(heardAt);
  });

  it('does not ask an agent switching controllers again for the inventory another applied', async () => {
    const { agent, credential, other } = await twoControllers();
    agent.generation = 7;
    const applied = await h.heartbeat(agent, credential, true);
    expect(applied.ack_generation).toBe(7);
    const before = h.database.writes();
    const res = await other.app.request(`/v1/internal/hosts/${agent.hostId}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: JSON.stringify({ generation: 7, inventory: agent.inventory() }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ack_generation: number }).ack_generation).toBe(7);
    // Recognised from the database: nothing applied twice.
    expect(h.database.writes() - before).toBe(0);
    await other.stop();
  });

  it('takes heartbeats of a host registered through another controller, and honours its revocation', async () => {
    h = await createHarness({ manualClock: true });
    // This controller starts before the host exists anywhere.
    const other = await h.anotherController();
    const { agent, credential } = await h.addAgent({ hostId: 'host_shared000009' });
    const beat = () =>
      other.app.request(`/v1/internal/hosts/${agent.hostId}/heartbeat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
        body: JSON.stringify({ generation: agent.generation }),
      });
    expect((await beat()).status).toBe(200);
    // Revoked through the first controller: refused by the other too, once it exchanged.
    expect((await h.req('POST', `/v1/hosts/${agent.hostId}/revoke-credential`)).status).toBe(200);
    await other.exchangeLiveness();
    expect((await beat()).status).toBe(401);
    await other.stop();
  });
});
