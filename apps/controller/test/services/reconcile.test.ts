import type { Env, Host, HostVm } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerEvent } from '../../src/lib/event-bus.js';
import type { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

const HOST = 'host_trust00000001';

async function withEnv(config: Parameters<typeof createHarness>[0] = {}) {
  h = await createHarness(config);
  const { agent, credential } = await h.addAgent({ hostId: HOST });
  await uploadImage(h, 'box');
  await h.req('POST', '/v1/envs', { id: 'trust', ssh_keys: [sshKey()], vms: [{ image: 'box' }] });
  await h.idle();
  return { agent, credential };
}

const getEnv = async () => json<Env>(await h.req('GET', '/v1/envs/trust'));
const getHost = async () => json<Host>(await h.req('GET', `/v1/hosts/${HOST}`));

/** A zone on the host that no agent record and no controller record explains. */
function stray(id: string, o: Partial<HostVm> = {}): HostVm {
  return {
    id,
    zone_state: 'running',
    apiary: true,
    env_id: 'lost',
    created_at: new Date(Date.now() - 3_600_000).toISOString(),
    datasets: [`rpool/apiary/vms/${id}`],
    links: [],
    agent_state: null,
    busy: false,
    ...o,
  };
}

describe('deleting a VM: gone only when the host shows nothing of it', () => {
  it('does not mark a VM deleted when its agent answers 404 but the host still holds it', async () => {
    const { agent } = await withEnv();
    agent.lieGone.add(await h.zoneOf('trust-0'));
    await h.req('DELETE', '/v1/envs/trust');
    await h.idle();
    const env = await getEnv();
    expect(env.state).toBe('deleting');
    expect(env.vms[0]).toMatchObject({ state: 'deleting' });
    expect(env.vms[0]?.error).toMatchObject({ code: 'delete_unconfirmed' });
    expect(env.vms[0]?.error?.msg).toMatch(/still holds zone \(running\)/);
    // Its reservation is kept: the capacity is not handed out again while the VM may run.
    expect((await getHost()).capacity.reserved.cpu).toBeGreaterThan(0);
    // Once the agent tells the truth, the reaper's retry deletes it for real.
    agent.lieGone.clear();
    await h.core.reap();
    await h.idle();
    expect((await getEnv()).state).toBe('deleted');
    expect(agent.liveVms()).toEqual([]);
  });

  it('takes neither a VM missing from an inventory nor one reported deleted for gone', async () => {
    const { agent, credential } = await withEnv();
    // The delete is slow on the agent; meanwhile an inventory leaves the VM out.
    agent.opDelayMs = 60_000;
    await h.req('DELETE', '/v1/envs/trust');
    agent.lieGone.add(await h.zoneOf('trust-0'));
    await h.heartbeat(agent, credential);
    expect((await getEnv()).vms[0]?.state).toBe('deleting');
    // A running VM reported `deleted` is unknown, not gone.
    const other = await setUpSecondEnv(agent, credential);
    const report = agent.inventory();
    report.vms.push({ ...reportOf(agent, other), state: 'deleted', generation: 99 });
    await heartbeatWith(agent, credential, report);
    const env2 = await json<Env>(await h.req('GET', '/v1/envs/trust2'));
    expect(env2.vms[0]).toMatchObject({ state: 'unknown' });
    await h.core.stop();
  });
});

async function setUpSecondEnv(agent: FakeAgent, _credential: string) {
  const before = agent.opDelayMs;
  agent.opDelayMs = 5;
  await h.req('POST', '/v1/envs', { id: 'trust2', ssh_keys: [sshKey()], vms: [{ image: 'box' }] });
  for (let i = 0; i < 100 && agent.vms.get(await h.zoneOf('trust2-0'))?.state !== 'running'; i++)
    await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 100; i++) {
    const env = await json<Env>(await h.req('GET', '/v1/envs/trust2'));
    if (env.state === 'active') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  agent.opDelayMs = before;
  return h.zoneOf('trust2-0');
}

function reportOf(agent: FakeAgent, id: string) {
  const vm = agent.vms.get(id);
  if (!vm) throw new Error(`no VM ${id}`);
  return {
    id,
    env_id: vm.env_id,
    state: vm.state,
    error: null,
    ip: vm.ip,
    port_map: vm.port_map,
    generation: vm.generation,
  };
}

async function heartbeatWith(
  agent: FakeAgent,
  credential: string,
  inventory: ReturnType<FakeAgent['inventory']>,
) {
  const res = await h.core.app.request(`/v1/internal/hosts/${agent.hostId}/heartbeat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify({ generation: agent.generation + 100, inventory }),
  });
  expect(res.status).toBe(200);
}

describe('the reconcile pass', () => {
  it('reports what a host holds that the controller has no record of, and leaves it under report', async () => {
    const { agent } = await withEnv();
    agent.hostOnly.set('lost-0', stray('lost-0'));
    agent.hostOnly.set(
      'handmade',
      stray('handmade', { apiary: false, env_id: null, datasets: [] }),
    );
    const events: ControllerEvent[] = [];
    h.core.ctx.events.subscribe((e) => events.push(e));
    const outcome = await h.core.reconcile();
    expect(outcome).toMatchObject({ hosts: 1, orphans: 2, removalsRequested: 0 });
    const host = await getHost();
    expect(host.orphans.map((o) => [o.id, o.apiary, o.holds])).toEqual([
      ['handmade', false, ['a foreign zone (running)']],
      ['lost-0', true, ['zone (running)', 'dataset rpool/apiary/vms/lost-0']],
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'host.orphans',
        data: expect.objectContaining({ added: ['handmade', 'lost-0'] }),
      }),
    );
    const metrics = await (await h.core.app.request('/metrics')).text();
    expect(metrics).toContain('apiary_orphan_vms{kind="apiary"} 1');
    expect(metrics).toContain('apiary_orphan_vms{kind="foreign"} 1');
    // The environment's own VM is known: never an orphan. Nothing was deleted.
    expect(agent.calls.filter((c) => c.method === 'DELETE')).toEqual([]);
    // Gone from the host: the report goes too.
    agent.hostOnly.delete('lost-0');
    await h.core.reconcile();
    expect((await getHost()).orphans.map((o) => o.id)).toEqual(['handmade']);
  });

  it('removes Apiary-made orphans after the grace period under remove, and nothing else', async () => {
    const { agent } = await withEnv({
      manualClock: true,
      config: { orphanPolicy: 'remove', orphanGraceMs: 600_000 },
    });
    agent.hostOnly.set('lost-0', stray('lost-0'));
    agent.hostOnly.set('handmade', stray('handmade', { apiary: false, datasets: [] }));
    agent.hostOnly.set('busy-0', stray('busy-0', { busy: true, agent_state: 'creating' }));
    expect((await h.core.reconcile()).removalsRequested).toBe(0);
    h.clock?.advance(300_000);
    // Appears now, made just now: its grace period starts here.
    const now = new Date(h.clock?.now() ?? 0).toISOString();
    agent.hostOnly.set('young-0', stray('young-0', { created_at: now }));
    expect((await h.core.reconcile()).removalsRequested).toBe(0);
    h.clock?.advance(400_000);
    const deletes = () =>
      agent.calls.filter((c) => c.method === 'DELETE').map((c) => c.path.split('/').at(-1));
    // Only lost-0 is past its grace period, ours, and idle.
    expect((await h.core.reconcile()).removalsRequested).toBe(1);
    expect(deletes()).toEqual(['lost-0']);
    await new Promise((r) => setTimeout(r, 50));
    await h.core.reconcile();
    expect((await getHost()).orphans.map((o) => o.id)).toEqual(['busy-0', 'handmade', 'young-0']);
    expect((await getEnv()).vms[0]?.state).toBe('running');
  });

  it('never takes a VM it is creating for an orphan', async () => {
    h = await createHarness({ config: { orphanPolicy: 'remove', orphanGraceMs: 0 } });
    const { agent } = await h.addAgent({ hostId: HOST, opDelayMs: 60_000 });
    await uploadImage(h, 'box');
    await h.req('POST', '/v1/envs', { id: 'trust', ssh_keys: [sshKey()], vms: [{ image: 'box' }] });
    const zone = await h.zoneOf('trust-0');
    for (let i = 0; i < 200 && !agent.vms.has(zone); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(agent.vms.get(zone)?.state).toBe('creating');
    const outcome = await h.core.reconcile();
    expect(outcome).toMatchObject({ orphans: 0, removalsRequested: 0 });
    await h.core.stop();
  });
});
