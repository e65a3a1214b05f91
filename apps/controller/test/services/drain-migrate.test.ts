import { type Drain, DrainReq } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/services/auth/principal.js';
import { startDrain } from '../../src/services/drain/drains.js';
import type { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/*
 * A `migrate` drain's bookkeeping (issue 15) on fake agents: what happens to moves that cannot
 * start, that the deadline overtakes, or that an undrain cancels. Fake agents have no import
 * routes, so a move that starts fails at its first agent call; these tests are about the moves
 * around it, not about copying disks (test/system/vm-migration*.test.ts do that).
 */
let h: Harness;
afterEach(async () => h?.close());

const SOURCE = 'host_drainmig00001';
const OTHER = 'host_drainmig00002';

/** `vmCount` environments of one VM each, all on SOURCE (the only host when they are placed). */
async function setup(vmCount: number): Promise<FakeAgent> {
  const { agent } = await h.addAgent({ hostId: SOURCE });
  await uploadImage(h, 'img');
  for (let i = 0; i < vmCount; i++) {
    const res = await h.req('POST', '/v1/envs', {
      id: `env-${i}`,
      ssh_keys: [sshKey()],
      vms: [{ image: 'img' }],
    });
    expect(res.status).toBe(202);
  }
  await h.idle();
  return agent;
}

const ADMIN: Principal = {
  via: 'api_key',
  role: 'super_admin',
  orgId: null,
  userId: null,
  apiKeyId: null,
  sessionId: null,
  scopes: null,
};

/**
 * Starts the drain as the route does, without the route's kick: the test runs every pass
 * itself, so no background pass races it.
 */
async function drain(req: Record<string, unknown>): Promise<Drain> {
  return startDrain(h.core.ctx, ADMIN, SOURCE, DrainReq.parse(req), () => {});
}

const status = async () => json<Drain>(await h.req('GET', `/v1/hosts/${SOURCE}/drain-status`));
const moveOf = (d: Drain, vm: string) => d.vms.find((v) => v.id === vm);

describe('migrate drain', () => {
  it('lists a VM no host can take as failed with the reason, and ends instead of hanging', async () => {
    h = await createHarness();
    const agent = await setup(1);
    expect((await drain({ mode: 'migrate' })).state).toBe('draining');
    await h.core.drainTick();
    await h.idle();
    const s = await status();
    expect(s).toMatchObject({ state: 'failed', vms_remaining: 1, vms_failed: 1, complete: false });
    expect(s.finished_at).not.toBeNull();
    const move = moveOf(s, 'env-0-0');
    expect(move?.move).toBe('failed');
    expect(move?.error).toMatch(/no other host .*can take VM env-0-0/);
    // Nothing was stopped or moved: the VM still runs where it was.
    expect(agent.liveVms().map((v) => v.state)).toEqual(['running']);
  });

  it('stops, at the deadline, the VMs whose moves had not started', async () => {
    h = await createHarness();
    const source = await setup(2);
    await h.addAgent({ hostId: OTHER });
    // The deadline is now: the first pass starts one move (max_parallel 1), then falls back.
    await drain({ mode: 'migrate', deadline_seconds: 0, max_parallel: 1 });
    await h.core.drainTick();
    await h.idle();
    await h.core.drainTick();
    await h.idle();
    const s = await status();
    const moves = s.vms.map((v) => v.move);
    // One move started (and fails on the fake agent); the other never started and was stopped.
    expect(moves.filter((m) => m === 'cancelled')).toHaveLength(1);
    expect(moves.filter((m) => m === 'moving' || m === 'failed')).toHaveLength(1);
    const cancelled = s.vms.find((v) => v.move === 'cancelled');
    const started = s.vms.find((v) => v.move !== 'cancelled');
    expect(cancelled?.error).toMatch(/not moved before the drain deadline: stopped instead/);
    expect(cancelled?.state).toBe('stopped');
    const byId = new Map(source.liveVms().map((v) => [v.id, v.state]));
    expect(byId.get(await h.zoneOf(cancelled?.id ?? ''))).toBe('stopped');
    // The fall-back stops only what it cancelled: the VM whose move started is left running.
    expect(byId.get(await h.zoneOf(started?.id ?? ''))).toBe('running');
  });

  it('undrain cancels the moves not started; no new move starts afterwards', async () => {
    // The hung agent call ends at the operation timeout: short, so the test ends soon.
    h = await createHarness({ config: { operationTimeoutMs: 1000 } });
    const source = await setup(2);
    const { agent: other } = await h.addAgent({ hostId: OTHER });
    other.hang = true; // the started move stays at its first agent call
    await drain({ mode: 'migrate', max_parallel: 1 });
    await h.core.drainTick();
    const before = await status();
    // One move started (it may already have timed out on a slow machine); one waits.
    expect(before.vms.filter((v) => v.move === 'waiting')).toHaveLength(1);
    expect(before.vms.filter((v) => v.move === 'moving' || v.move === 'failed')).toHaveLength(1);
    const waiting = before.vms.find((v) => v.move === 'waiting')?.id ?? '';

    expect((await h.req('POST', `/v1/hosts/${SOURCE}/undrain`)).status).toBe(200);
    other.hang = false;
    let s = await status();
    expect(s.state).toBe('cancelled');
    expect(moveOf(s, waiting)).toMatchObject({
      move: 'cancelled',
      error: 'the drain was cancelled',
    });

    await h.idle();
    await h.core.drainTick();
    await h.idle();
    s = await status();
    expect(moveOf(s, waiting)?.move).toBe('cancelled');
    // The cancelled VM was neither moved nor stopped.
    const zone = await h.zoneOf(waiting);
    expect(source.liveVms().find((v) => v.id === zone)?.state).toBe('running');
    const migrations = other.calls.filter((c) => c.path.includes(zone));
    expect(migrations).toEqual([]);
  });
});

/** Puts the VM's row in `state`, as the controller does while a start or stop is in flight. */
async function setVmState(name: string, state: string) {
  const { vms } = h.core.ctx.t;
  await h.core.ctx.db.update(vms).set({ state }).where(eq(vms.name, name));
}

/** The drain's recorded moves (with the saga each started), straight from its row. */
async function recordedMoves() {
  const { drains } = h.core.ctx.t;
  const rows = await h.core.ctx.db.select().from(drains).where(eq(drains.hostId, SOURCE));
  return rows[0]?.moves ?? {};
}

describe('migrate drain and a VM mid-start or mid-stop', () => {
  for (const transitional of ['starting', 'stopping']) {
    it(`waits for a ${transitional} VM to settle, then moves it`, async () => {
      h = await createHarness();
      await setup(1);
      await h.addAgent({ hostId: OTHER });
      const vmId = await h.zoneOf('env-0-0');
      await setVmState('env-0-0', transitional);
      await drain({ mode: 'migrate' });
      for (let pass = 0; pass < 2; pass++) {
        await h.core.drainTick();
        await h.idle();
      }
      let s = await status();
      // Not a failed move: it waits, and the drain with it.
      expect(moveOf(s, 'env-0-0')).toMatchObject({ move: 'waiting', error: null });
      expect(s).toMatchObject({ state: 'draining', vms_failed: 0 });
      expect((await recordedMoves())[vmId]?.sagaId).toBeUndefined();

      await setVmState('env-0-0', transitional === 'starting' ? 'running' : 'stopped');
      await h.core.drainTick();
      // Settled: the move started (its saga recorded on the drain).
      expect((await recordedMoves())[vmId]).toMatchObject({ state: 'moving' });
      expect((await recordedMoves())[vmId]?.sagaId).toMatch(/.+/);
      await h.idle();
      s = await status();
      expect(moveOf(s, 'env-0-0')?.error ?? '').not.toMatch(/is (starting|stopping)/);
    });
  }

  it('cancels the wait at the drain deadline: the VM is stopped instead, not counted failed', async () => {
    h = await createHarness();
    await setup(1);
    await h.addAgent({ hostId: OTHER });
    await setVmState('env-0-0', 'starting');
    await drain({ mode: 'migrate', deadline_seconds: 0 });
    await h.core.drainTick();
    await h.idle();
    const s = await status();
    expect(moveOf(s, 'env-0-0')).toMatchObject({
      move: 'cancelled',
      error: 'not moved before the drain deadline: stopped instead',
    });
    expect(s.vms_failed).toBe(0);
  });
});

describe('migrate drain past its deadline', () => {
  it('does not end while a cancelled move’s stop is still being retried', async () => {
    h = await createHarness();
    const source = await setup(2);
    await h.addAgent({ hostId: OTHER });
    await drain({ mode: 'migrate', deadline_seconds: 0, max_parallel: 1 });
    // The fall-back stop of the VM whose move never started fails on the first two passes.
    source.failNext({ kind: 'stop', times: 2, msg: 'zoneadm halt failed (injected)' });
    for (let pass = 0; pass < 2; pass++) {
      await h.core.drainTick();
      await h.idle();
    }
    // Every move has ended (one failed on the fake agent, one cancelled), but a VM still runs.
    let s = await status();
    expect(s.state).toBe('draining');
    const cancelled = s.vms.find((v) => v.move === 'cancelled');
    expect(cancelled?.state).not.toBe('stopped');

    await h.core.drainTick();
    await h.idle();
    await h.core.drainTick();
    s = await status();
    expect(moveOf(s, cancelled?.id ?? '')?.state).toBe('stopped');
    // What is left is the VM whose move failed: the drain now ends and says so.
    expect(s).toMatchObject({ state: 'failed', vms_remaining: 1, vms_failed: 1 });
  });
});

describe('migrate drain and a source that has not released its copy', () => {
  /**
   * Fake agents cannot run a migration, so the test puts the drain where a real one stands after
   * the switch: the VM's row points at OTHER and its saga runs on, retrying SOURCE's release.
   */
  it('counts the move as releasing with the warning, and does not finish until it is done', async () => {
    h = await createHarness();
    await setup(1);
    await h.addAgent({ hostId: OTHER });
    await drain({ mode: 'migrate' });
    const { ctx } = h.core;
    const { drains, sagas, vms } = ctx.t;
    const vm = (await ctx.db.select().from(vms).where(eq(vms.hostId, SOURCE)))[0];
    if (!vm) throw new Error('no VM on the source');
    const now = ctx.clock.now();
    const sagaId = 'saga_releasepending1';
    await ctx.db.insert(sagas).values({
      id: sagaId,
      kind: 'migrate',
      resource: `test-release:${vm.id}`,
      state: 'running',
      step: 'release',
      doneSteps: [],
      input: {},
      memo: {
        switched: true,
        releaseRetry: { attempts: 2, error: 'zfs destroy failed (injected)', retryAt: now + 1e6 },
      },
      leftovers: [],
      createdAt: now,
      updatedAt: now,
    });
    await ctx.db
      .update(drains)
      .set({ moves: { [vm.id]: { state: 'moving', sagaId } } })
      .where(eq(drains.hostId, SOURCE));
    await ctx.db.update(vms).set({ hostId: OTHER }).where(eq(vms.id, vm.id));

    await h.core.drainTick();
    let s = await status();
    expect(s).toMatchObject({
      state: 'draining',
      complete: false,
      vms_remaining: 1,
      vms_moving: 1,
      vms_releasing: 1,
    });
    expect(s.vms[0]?.warning).toBe(
      'the VM runs on its new host; its old host has not removed its copy yet (2 failed attempts, retried): zfs destroy failed (injected)',
    );

    // The release succeeded: the saga ends, the drain finishes and nothing is releasing.
    await ctx.db.update(sagas).set({ state: 'succeeded' }).where(eq(sagas.id, sagaId));
    await h.core.drainTick();
    s = await status();
    expect(s).toMatchObject({ state: 'complete', complete: true, vms_releasing: 0 });
    expect(s.vms[0]).toMatchObject({ move: 'moved', warning: null });
  });
});
