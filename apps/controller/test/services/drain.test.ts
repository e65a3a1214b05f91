import type { Drain, Env, Host } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

async function setup(vmCount = 2) {
  const { agent } = await h.addAgent({ hostId: 'host_drain0000001' });
  await uploadImage(h, 'img');
  for (let i = 0; i < vmCount; i++) {
    await h.req('POST', '/v1/envs', {
      id: `env-${i}`,
      ssh_keys: [sshKey()],
      vms: [{ image: 'img' }],
    });
  }
  await h.idle();
  return agent;
}
const status = async () =>
  json<Drain>(await h.req('GET', '/v1/hosts/host_drain0000001/drain-status'));
const host = async () => json<Host>(await h.req('GET', '/v1/hosts/host_drain0000001'));

describe('drain', () => {
  it('waits for VMs to end, reports honest progress, then puts the host in maintenance', async () => {
    h = await createHarness();
    const agent = await setup(2);
    const started = await h.req('POST', '/v1/hosts/host_drain0000001/drain', {
      mode: 'wait',
      deadline_seconds: 3600,
    });
    expect(started.status).toBe(202);
    expect(await json(started)).toMatchObject({
      mode: 'wait',
      state: 'draining',
      vms_total: 2,
      vms_remaining: 2,
      complete: false,
    });
    expect((await host()).policy).toBe('draining');
    // No new placements on a draining host.
    expect(
      (
        await h.req('POST', '/v1/envs', {
          id: 'late',
          ssh_keys: [sshKey()],
          vms: [{ image: 'img' }],
        })
      ).status,
    ).toBe(409);
    await h.core.drainTick();
    expect((await status()).vms_remaining).toBe(2);
    expect(agent.liveVms()).toHaveLength(2);

    await h.req('DELETE', '/v1/envs/env-0');
    await h.idle();
    await h.core.drainTick();
    let s = await status();
    expect(s).toMatchObject({ vms_total: 2, vms_remaining: 1, complete: false, state: 'draining' });
    expect(s.vms.map((v) => [v.id, v.state])).toEqual([
      ['env-0-0', 'deleted'],
      ['env-1-0', 'running'],
    ]);

    await h.req('DELETE', '/v1/envs/env-1');
    await h.idle();
    await h.core.drainTick();
    s = await status();
    expect(s).toMatchObject({ vms_remaining: 0, complete: true, state: 'complete' });
    expect(s.finished_at).not.toBeNull();
    const after = await host();
    expect(after.policy).toBe('maintenance');
    expect(after.drain?.complete).toBe(true);

    expect((await h.req('POST', '/v1/hosts/host_drain0000001/undrain')).status).toBe(409);
    expect(
      (await json<Host>(await h.req('POST', '/v1/hosts/host_drain0000001/activate'))).policy,
    ).toBe('eligible');
    expect(
      (
        await h.req('POST', '/v1/envs', {
          id: 'back',
          ssh_keys: [sshKey()],
          vms: [{ image: 'img' }],
        })
      ).status,
    ).toBe(202);
    await h.idle();
  });

  it('stops the VMs at the deadline in stop mode and completes only once they are stopped', async () => {
    h = await createHarness({ manualClock: true });
    const agent = await setup(2);
    agent.opDelayMs = 50;
    await h.req('POST', '/v1/hosts/host_drain0000001/drain', {
      mode: 'stop',
      deadline_seconds: 60,
    });
    await h.core.drainTick();
    await h.idle();
    expect(agent.liveVms().map((v) => v.state)).toEqual(['running', 'running']);
    expect((await status()).deadline).not.toBeNull();

    h.clock?.advance(60_000);
    await h.core.drainTick();
    // Stops were sent; the drain is not complete until the agent says they stopped.
    expect((await status()).complete).toBe(false);
    await h.idle();
    await h.core.drainTick();
    const s = await status();
    expect(s).toMatchObject({
      mode: 'stop',
      vms_total: 2,
      vms_remaining: 0,
      vms_failed: 0,
      complete: true,
    });
    expect(agent.liveVms().map((v) => v.state)).toEqual(['stopped', 'stopped']);
    expect((await host()).policy).toBe('maintenance');
    // Stopped, not deleted: the environments still exist.
    expect((await json<Env>(await h.req('GET', '/v1/envs/env-0'))).vms[0]?.state).toBe('stopped');
  });

  it('reports VMs it failed to stop and does not claim completion', async () => {
    h = await createHarness();
    const agent = await setup(1);
    agent.failNext({ kind: 'stop', times: 10, msg: 'zoneadm halt failed (injected)' });
    await h.req('POST', '/v1/hosts/host_drain0000001/drain', { mode: 'stop' });
    for (let i = 0; i < 4; i++) {
      await h.core.drainTick();
      await h.idle();
    }
    const s = await status();
    expect(s).toMatchObject({
      state: 'draining',
      vms_remaining: 1,
      vms_failed: 1,
      complete: false,
    });
    expect(s.vms[0]?.error).toMatch(/zoneadm halt failed/);
    expect((await host()).policy).toBe('draining');
  });

  it('cancels a drain with undrain: eligible again and nothing more is stopped', async () => {
    h = await createHarness({ manualClock: true });
    const agent = await setup(1);
    await h.req('POST', '/v1/hosts/host_drain0000001/drain', {
      mode: 'stop',
      deadline_seconds: 600,
    });
    const back = await json<Host>(await h.req('POST', '/v1/hosts/host_drain0000001/undrain'));
    expect(back.policy).toBe('eligible');
    expect((await status()).state).toBe('cancelled');
    h.clock?.advance(601_000);
    await h.core.drainTick();
    await h.idle();
    expect(agent.liveVms()[0]?.state).toBe('running');
  });

  it('refuses to drain twice and explains how to leave maintenance', async () => {
    h = await createHarness();
    await setup(0);
    expect((await h.req('GET', '/v1/hosts/host_drain0000001/drain-status')).status).toBe(404);
    await h.req('POST', '/v1/hosts/host_drain0000001/drain', {});
    await h.core.drainTick();
    const again = await h.req('POST', '/v1/hosts/host_drain0000001/drain', {});
    expect(again.status).toBe(409);
    expect((await json(again)).msg).toMatch(/maintenance: activate it first/);
  });
});
