import type { Drain, Env, HostVm } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { Lease, LeaseLost } from '../../src/services/leases/lease.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/*
 * A singleton pass (reaper, drain worker, reconcile, poll) runs on the controller holding its
 * lease. One that was paused past its lease (SIGSTOP, a long GC) and wakes up after another
 * controller took the pass over must write nothing and ask no agent for anything: each pass's
 * writes carry the epoch of the lease it started with.
 */

let h: Harness;
afterEach(async () => h?.close());

const HOST = 'host_fence00000001';

/** Controller A held the pass, stalled past its lease; controller B took it over. */
async function takenOver(name: string): Promise<{ stale: Lease; current: Lease }> {
  const { leases } = h.core.ctx.t;
  const expire = () =>
    h.core.ctx.db
      .update(leases)
      .set({ expiresAt: 0 })
      .where(eq(leases.name, `pass:${name}`));
  // The harness's own controller may hold it from a pass it ran meanwhile: not in this story.
  await expire();
  const stale = new Lease(h.core.ctx, `pass:${name}`, 'ctl_paused', 10_000);
  expect(await stale.acquireOrRenew()).toBe(true);
  await expire();
  const current = new Lease(h.core.ctx, `pass:${name}`, 'ctl_other', 10_000);
  expect(await current.acquireOrRenew()).toBe(true);
  return { stale, current };
}

async function withEnv(config: Parameters<typeof createHarness>[0] = {}) {
  h = await createHarness(config);
  const { agent } = await h.addAgent({ hostId: HOST });
  await uploadImage(h, 'box');
  await h.req('POST', '/v1/envs', { id: 'fenced', ssh_keys: [sshKey()], vms: [{ image: 'box' }] });
  await h.idle();
  return agent;
}

const envState = async () => (await json<Env>(await h.req('GET', '/v1/envs/fenced'))).state;

describe('singleton passes after a takeover', () => {
  it('a reaper that lost its lease does not expire environments; the new holder does', async () => {
    await withEnv();
    const { envs } = h.core.ctx.t;
    await h.core.ctx.db.update(envs).set({ expiresAt: 1 }).where(eq(envs.name, 'fenced'));
    const { stale, current } = await takenOver('reap');
    await h.core.reap(stale);
    await h.idle();
    expect(await envState()).toBe('active');
    await h.core.reap(current);
    await h.idle();
    expect(await envState()).toBe('deleted');
  });

  it('a drain worker that lost its lease neither stops VMs nor completes the drain', async () => {
    const agent = await withEnv();
    const started = await h.req('POST', `/v1/hosts/${HOST}/drain`, {
      mode: 'stop',
      deadline_seconds: 3600,
    });
    expect(started.status).toBe(202);
    await h.idle();
    // The deadline passes while the pass is taken over.
    const { drains } = h.core.ctx.t;
    await h.core.ctx.db.update(drains).set({ deadline: 1 });
    const { stale, current } = await takenOver('drain');
    await expect(h.core.drainTick(stale)).rejects.toBeInstanceOf(LeaseLost);
    await h.idle();
    const stops = () => agent.calls.filter((c) => c.path.endsWith('/stop')).length;
    expect(stops()).toBe(0);
    const [row] = await h.core.ctx.db.select().from(drains);
    expect(row?.stopIssuedAt).toBeNull();
    const drain = async () => json<Drain>(await h.req('GET', `/v1/hosts/${HOST}/drain-status`));

    await h.core.drainTick(current);
    await h.idle();
    await h.core.drainTick(current);
    expect(stops()).toBe(1);
    expect((await drain()).complete).toBe(true);
  });

  it('a reconcile pass that lost its lease records no orphan and removes nothing', async () => {
    const agent = await withEnv({ config: { orphanPolicy: 'remove', orphanGraceMs: 0 } });
    const stray: HostVm = {
      id: 'lost-0',
      zone_state: 'running',
      apiary: true,
      env_id: 'gone',
      created_at: new Date(Date.now() - 3_600_000).toISOString(),
      datasets: ['rpool/apiary/vms/lost-0'],
      links: [],
      agent_state: 'running',
      busy: false,
    };
    agent.hostOnly.set('lost-0', stray);
    const { stale, current } = await takenOver('reconcile');
    await expect(h.core.reconcile(stale)).rejects.toBeInstanceOf(LeaseLost);
    const { hostOrphans } = h.core.ctx.t;
    expect(await h.core.ctx.db.select().from(hostOrphans)).toHaveLength(0);
    expect(agent.calls.some((c) => c.method === 'DELETE')).toBe(false);

    const outcome = await h.core.reconcile(current);
    expect(outcome).toMatchObject({ orphans: 1, removalsRequested: 1 });
    expect(agent.calls.some((c) => c.method === 'DELETE' && c.path.endsWith('/lost-0'))).toBe(true);
  });
});
