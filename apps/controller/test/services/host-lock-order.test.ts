import type { VmOperation } from '@apiary/protocol';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/database.js';
import { applyInventory, markVmDeleted } from '../../src/services/hosts/apply-inventory.js';
import { takeHostRowFirst } from '../../src/services/hosts/host-lock-order.js';
import type { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';
import { testEngine } from '../helpers/test-db.js';

/*
 * One lock order on PostgreSQL: a host's row before its VMs' rows. A heartbeat's inventory
 * writes the host, then its VMs; a VM change that wrote the VM and then waited for its host
 * deadlocked with it (the server ended one after deadlock_timeout, 1 s, and a change failed
 * "internal" in a CI run). Here a transaction holds the host row as an inventory does while a
 * change is accepted or recorded, then writes the VM: it must go through at once. With a change
 * that writes its VM first, that write waits until PostgreSQL ends one of the two.
 * PostgreSQL only: SQLite has no row locks (one transaction at a time).
 */

const HOST = 'host_lockorder0001';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

let agent: FakeAgent;

async function oneVm(name: string): Promise<string> {
  h = await createHarness();
  ({ agent } = await h.addAgent({ hostId: HOST, hostname: 'h1', opDelayMs: 300 }));
  await uploadImage(h, 'img');
  const res = await h.req('POST', '/v1/envs', {
    id: name,
    ssh_keys: [sshKey()],
    vms: [{ image: 'img', cpu: 1, mem: 512, disk: 2048 }],
  });
  expect(res.status).toBe(202);
  await h.idle();
  return h.zoneOf(`${name}-0`);
}

/** Sessions of this database waiting for a row lock on the hosts table, other than `self`. */
async function waitingOnHosts(self: number): Promise<number> {
  const result = await h.core.ctx.db.execute(
    sql`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'
          AND pid <> ${self} AND query ILIKE '%hosts%'`,
  );
  return (result.rows[0] as { n: number }).n;
}

async function until(what: string, ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Holds the host's row as an inventory does, waits until `waiter` is queued behind it, then
 * writes the VM's row. Returns whether that write went through before PostgreSQL's deadlock
 * detection (1 s) could have ended anything.
 */
async function inventoryWritesVmWhile(
  vmId: string,
  waiter: () => Promise<boolean>,
): Promise<'written' | 'kept waiting' | 'ended by the server'> {
  const { hosts, vms } = h.core.ctx.t;
  let outcome: 'written' | 'kept waiting' = 'kept waiting';
  try {
    await h.core.ctx.db.transaction(async (tx: Tx) => {
      const pid = (await tx.execute(sql`SELECT pg_backend_pid() AS pid`)).rows[0] as {
        pid: number;
      };
      await tx.update(hosts).set({ updatedAt: Date.now() }).where(eq(hosts.id, HOST));
      await until('the change to queue behind the host row', async () => {
        return (await waiter()) && (await waitingOnHosts(pid.pid)) > 0;
      });
      const write = tx.update(vms).set({ updatedAt: Date.now() }).where(eq(vms.id, vmId));
      const first = await Promise.race([
        write.then(() => 'written' as const),
        new Promise<'kept waiting'>((r) => setTimeout(() => r('kept waiting'), 700)),
      ]);
      outcome = first;
      await write;
    });
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === '40P01')
      return 'ended by the server';
    throw error;
  }
  return outcome;
}

async function operation(id: string): Promise<VmOperation> {
  await h.idle();
  return json<VmOperation>(await h.req('GET', `/v1/operations/${id}`));
}

describe.runIf(testEngine() === 'postgres')('a host row before its VMs (PostgreSQL)', () => {
  it('lets an inventory write a VM while a change of it waits to record its outcome', async () => {
    const vmId = await oneVm('rec');
    const accepted = await h.req('POST', '/v1/vms/rec-0/snapshots', { name: 'first' });
    expect(accepted.status).toBe(202);
    const { operation: op } = await json<{ operation: VmOperation }>(accepted);
    const { sagas } = h.core.ctx.t;
    const atRecord = async () => {
      const [saga] = await h.core.ctx.db
        .select({ step: sagas.step })
        .from(sagas)
        .where(eq(sagas.id, op.id));
      return saga?.step === 'record';
    };
    expect(await inventoryWritesVmWhile(vmId, atRecord)).toBe('written');
    expect(await operation(op.id)).toMatchObject({ state: 'succeeded', error: null });
  });

  it('lets an inventory write a VM while a change of it waits to be accepted', async () => {
    const vmId = await oneVm('acc');
    const snapshot = await h.req('POST', '/v1/vms/acc-0/snapshots', { name: 'first' });
    const taken = await json<{ operation: VmOperation }>(snapshot);
    expect(await operation(taken.operation.id)).toMatchObject({ state: 'succeeded' });
    // A clone reserves its machine on the VM's host in the accepting transaction.
    const request = h.req('POST', '/v1/vms/acc-0/snapshots/first/clone', {});
    expect(await inventoryWritesVmWhile(vmId, async () => true)).toBe('written');
    const accepted = await request;
    expect(accepted.status, await accepted.clone().text()).toBe(202);
    const { operation: op } = await json<{ operation: VmOperation }>(accepted);
    expect(await operation(op.id)).toMatchObject({ state: 'succeeded', error: null });
  });

  it('lets an inventory write a VM while its deletion waits to give the reservation back', async () => {
    const vmId = await oneVm('del');
    const { ctx } = h.core;
    const { hosts, vms } = ctx.t;
    const [before] = await ctx.db
      .select({ cpu: hosts.reservedCpu })
      .from(hosts)
      .where(eq(hosts.id, HOST));
    let deletion: Promise<unknown> | undefined;
    const deleting = async () => {
      deletion ??= ctx.db.transaction((tx) => markVmDeleted(ctx, tx, Date.now(), vmId, HOST));
      return true;
    };
    expect(await inventoryWritesVmWhile(vmId, deleting)).toBe('written');
    await deletion;
    const [vm] = await ctx.db
      .select({ state: vms.state, reserved: vms.reserved })
      .from(vms)
      .where(eq(vms.id, vmId));
    expect(vm).toEqual({ state: 'deleted', reserved: false });
    const [after] = await ctx.db
      .select({ cpu: hosts.reservedCpu })
      .from(hosts)
      .where(eq(hosts.id, HOST));
    expect(after?.cpu).toBe((before?.cpu as number) - 1);
  });

  // The other half of the order: an inventory reads the VMs it counts only once it holds the
  // host's row. Reading them before, it counted a VM a change was resizing at its old size, the
  // difference as foreign use, kept until the next inventory: a resize reserved twice.
  it('counts a VM at the size a change just recorded, in an inventory that waited for it', async () => {
    const vmId = await oneVm('inv');
    const { ctx } = h.core;
    const { hosts, vms } = ctx.t;
    // The agent's report: the VM already resized from 1 vCPU to 2.
    const base = agent.inventory();
    const used = base.resources.used;
    const inv = {
      ...base,
      generation: base.generation + 1,
      resources: { ...base.resources, used: { ...used, cpu: used.cpu + 1 } },
    };
    let inventory: Promise<unknown> = Promise.resolve();
    await ctx.db.transaction(async (tx: Tx) => {
      const pid = (await tx.execute(sql`SELECT pg_backend_pid() AS pid`)).rows[0] as {
        pid: number;
      };
      // A change recording its outcome: the host's row, then the VM at its new size.
      await takeHostRowFirst(ctx, tx, HOST);
      await tx.update(vms).set({ cpu: 2 }).where(eq(vms.id, vmId));
      inventory = ctx.db.transaction((other) => applyInventory(ctx, other, Date.now(), HOST, inv));
      await until('the inventory to wait for the host row', async () => {
        return (await waitingOnHosts(pid.pid)) > 0;
      });
    });
    await inventory;
    const [host] = await ctx.db
      .select({ foreignCpu: hosts.foreignCpu, usedCpu: hosts.usedCpu })
      .from(hosts)
      .where(eq(hosts.id, HOST));
    expect(host).toEqual({ foreignCpu: 0, usedCpu: used.cpu + 1 });
  });
});
