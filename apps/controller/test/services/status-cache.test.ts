import type { FleetStatus } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import type { Principal } from '../../src/services/auth/principal.js';
import { fleetStatus } from '../../src/services/status.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';
import { openAgain, testEngine } from '../helpers/test-db.js';

/*
 * `GET /v1/status` keeps its aggregates until something changes (status-cache.ts). These tests
 * hold every answer to what a fresh count says, through creates, deletes and a host going down,
 * and check that an unchanged fleet is answered without a statement. On PostgreSQL, a second
 * controller's cached figures follow the first one's writes (the change feed).
 */

let h: Harness;
let other: { stop(): Promise<void> } | undefined;
let otherDb: Database | null = null;
afterEach(async () => {
  await other?.stop();
  other = undefined;
  await otherDb?.close();
  otherDb = null;
  await h?.close();
});

async function status(): Promise<FleetStatus> {
  return json<FleetStatus>(await h.req('GET', '/v1/status'));
}

/** The status answer, checked against a count made afresh (the figures dropped first). */
async function checkedStatus(): Promise<FleetStatus> {
  const answered = await status();
  h.core.ctx.statusFigures.invalidate();
  expect(answered).toEqual(await status());
  return answered;
}

const superAdmin: Principal = {
  via: 'localhost',
  role: 'super_admin',
  orgId: null,
  userId: null,
  apiKeyId: null,
  sessionId: null,
  scopes: null,
};

const createEnv = (id: string) =>
  h.req('POST', '/v1/envs', {
    id,
    ssh_keys: [sshKey()],
    vms: [{ image: 'img' }, { image: 'img' }],
  });

describe('status figures kept between changes', () => {
  it('stay right through creates, deletes and a host going down, and cost nothing unchanged', async () => {
    h = await createHarness({ manualClock: true });
    await h.addAgent({ hostId: 'host_stat00000001', total: { cpu: 16, mem: 32_768, disk: 1e6 } });
    await uploadImage(h, 'img');
    expect((await checkedStatus()).envs.total).toBe(0);

    expect((await createEnv('web')).status).toBe(202);
    await h.idle();
    let s = await checkedStatus();
    expect(s.envs).toEqual({ total: 1, by_state: { active: 1 } });
    expect(s.vms).toEqual({ total: 2, by_state: { running: 2 } });
    expect(s.capacity.reserved.cpu).toBe(4);

    // Nothing changed: answered from the figures kept (the request's authentication aside,
    // without a statement).
    const reads = h.core.ctx.statusFigures.reads;
    expect(await status()).toEqual(s);
    const statements = h.database.statements();
    expect(await fleetStatus(h.core.ctx, superAdmin)).toEqual(s);
    expect(h.database.statements()).toBe(statements);
    expect(h.core.ctx.statusFigures.reads).toBe(reads);

    expect((await createEnv('db')).status).toBe(202);
    await h.idle();
    s = await checkedStatus();
    expect(s.envs.total).toBe(2);
    expect(s.vms).toEqual({ total: 4, by_state: { running: 4 } });
    expect(s.capacity.reserved.cpu).toBe(8);

    expect((await h.req('DELETE', '/v1/envs/web')).status).toBe(202);
    await h.idle();
    s = await checkedStatus();
    expect(s.envs).toEqual({ total: 1, by_state: { active: 1 } });
    expect(s.vms).toEqual({ total: 2, by_state: { running: 2 } });
    expect(s.capacity.reserved.cpu).toBe(4);

    // The host goes silent: suspect, then down; its VMs are unobserved.
    h.clock?.advance(3000);
    await h.core.sweep();
    expect((await checkedStatus()).hosts).toMatchObject({ total: 1, suspect: 1, ready: 0 });
    h.clock?.advance(6000);
    await h.core.sweep();
    s = await checkedStatus();
    expect(s.hosts).toMatchObject({ total: 1, down: 1, ready: 0 });
    expect(s.vms).toEqual({ total: 2, by_state: { unknown: 2 } });
  });

  it("count a VM's state write at the next answer, reading again the VMs' part alone", async () => {
    h = await createHarness({ manualClock: true });
    await h.addAgent({ hostId: 'host_stat00000003', total: { cpu: 16, mem: 32_768, disk: 1e6 } });
    await uploadImage(h, 'img');
    expect((await createEnv('web')).status).toBe(202);
    await h.idle();
    expect((await checkedStatus()).vms).toEqual({ total: 2, by_state: { running: 2 } });
    const { db, t } = h.core.ctx;
    const [vm] = await db.select({ id: t.vms.id }).from(t.vms).limit(1);
    const reads = h.core.ctx.statusFigures.reads;
    // The same write as a host's report of a stopped VM: one statement on the VMs' table.
    await db
      .update(t.vms)
      .set({ state: 'stopped' })
      .where(eq(t.vms.id, vm?.id ?? ''));
    const s = await status();
    expect(s.vms).toEqual({ total: 2, by_state: { running: 1, stopped: 1 } });
    // The VMs by state, and those on down hosts; not the hosts, environments or images.
    expect(h.core.ctx.statusFigures.reads).toBe(reads + 2);
    expect(await checkedStatus()).toEqual(s);
  });

  it("keep the environment list's total until the environments change", async () => {
    h = await createHarness();
    await h.addAgent({ hostId: 'host_stat00000004', total: { cpu: 16, mem: 32_768, disk: 1e6 } });
    await uploadImage(h, 'img');
    const total = async () =>
      (await json<{ total: number }>(await h.req('GET', '/v1/envs?limit=1'))).total;
    expect(await total()).toBe(0);
    expect((await createEnv('web')).status).toBe(202);
    expect(await total()).toBe(1);
    expect((await createEnv('db')).status).toBe(202);
    await h.idle();
    expect(await total()).toBe(2);
    expect((await json<{ total: number }>(await h.req('GET', '/v1/envs?state=active'))).total).toBe(
      2,
    );
    expect((await h.req('DELETE', '/v1/envs/web')).status).toBe(202);
    await h.idle();
    expect(await total()).toBe(1);
    // Kept: the unchanged list does not count again.
    const reads = h.core.ctx.listTotals.reads;
    expect(await total()).toBe(1);
    expect(h.core.ctx.listTotals.reads).toBe(reads);
  });

  it.skipIf(testEngine() === 'sqlite')(
    "follow another controller's writes through the change feed",
    async () => {
      h = await createHarness();
      await h.addAgent({ hostId: 'host_stat00000002', total: { cpu: 16, mem: 32_768, disk: 1e6 } });
      await uploadImage(h, 'img');
      otherDb = await openAgain(h.database);
      const second = await h.anotherController(otherDb ? { database: otherDb } : {});
      other = second;
      const b = second.ctx;
      const countOnB = async () => (await fleetStatus(b, superAdmin)).envs.total;
      expect(await countOnB()).toBe(0);
      const readsBefore = b.statusFigures.reads;
      expect(await countOnB()).toBe(0);
      expect(b.statusFigures.reads).toBe(readsBefore);
      // The first controller creates: B's kept figures are dropped by the commit's notification.
      expect((await createEnv('web')).status).toBe(202);
      const deadline = Date.now() + 5_000;
      while ((await countOnB()) !== 1 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await countOnB()).toBe(1);
      // A VM's state written on the first controller: B counts it (the feed names the table).
      // Once the create saga is done: its own write of the VMs' state would overwrite this one.
      await h.idle();
      const { db, t } = h.core.ctx;
      const [vm] = await db.select({ id: t.vms.id }).from(t.vms).limit(1);
      await db
        .update(t.vms)
        .set({ state: 'stopped' })
        .where(eq(t.vms.id, vm?.id ?? ''));
      const stoppedOnB = async () => (await fleetStatus(b, superAdmin)).vms.by_state.stopped ?? 0;
      const until = Date.now() + 5_000;
      while ((await stoppedOnB()) !== 1 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await stoppedOnB()).toBe(1);
    },
  );
});
