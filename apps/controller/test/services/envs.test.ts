import type { Env, Host } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createControllerCore } from '../../src/core.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

const seedBody = () => ({
  id: 'my-env',
  owner: 'alice',
  ssh_keys: [sshKey()],
  vms: [
    {
      image: 'alpine-cloud',
      engine: 'qemu',
      cpu: 2,
      mem: 2048,
      disk: 40960,
      ports: [80],
      deny_outgoing: false,
    },
  ],
  lifetime: 21600,
});

async function hostsReserved(h: Harness) {
  const list = await json<{ items: Host[] }>(await h.req('GET', '/v1/hosts'));
  return Object.fromEntries(list.items.map((x) => [x.id, x.capacity.reserved]));
}

async function fleet(n: number, total = { cpu: 8, mem: 16384, disk: 400_000 }) {
  const agents = [];
  for (let i = 1; i <= n; i++)
    agents.push((await h.addAgent({ hostId: `host_fleet0000000${i}`, total })).agent);
  await uploadImage(h, 'alpine-cloud');
  return agents;
}

describe('environments', () => {
  it('creates the seed-003 example environment and reports VMs, IPs and port_map', async () => {
    h = await createHarness();
    const [agent] = await fleet(1);
    const res = await h.req('POST', '/api/envs', seedBody(), undefined, {
      'x-request-id': 'req_seedexample1',
    });
    expect(res.status).toBe(202);
    const created = await json<Env>(res);
    expect(created.state).toBe('creating');
    expect(created.vms[0]).toMatchObject({
      id: 'my-env-0',
      state: 'pending',
      engine: 'bhyve',
      ports: [22, 80],
    });
    await h.idle();
    const env = await json<Env>(await h.req('GET', '/api/envs/my-env'));
    expect(env.state).toBe('active');
    const vm = env.vms[0];
    expect(vm).toMatchObject({
      state: 'running',
      host_id: 'host_fleet00000001',
      host_addr: 'host-fleet00000001.test',
    });
    expect(vm?.ip).toMatch(/^10\.213\./);
    expect(Object.keys(vm?.port_map ?? {})).toEqual(['22', '80']);
    expect(await json(await h.req('GET', '/api/vms/my-env-0'))).toMatchObject({
      id: 'my-env-0',
      state: 'running',
    });
    // The controller called the agent with its key and the request id of the user's request.
    const create = agent?.calls.find((c) => c.method === 'POST' && c.path === '/api/vms');
    expect(create).toMatchObject({ requestId: 'req_seedexample1', auth: `Bearer ${agent?.key}` });
  });

  it('refuses the seed example verbatim with a clear message about its placeholder key', async () => {
    h = await createHarness();
    const body = { ...seedBody(), ssh_keys: ['ssh-ed25519 AAAA... alice@laptop'] };
    const res = await h.req('POST', '/api/envs', body);
    expect(res.status).toBe(400);
    expect((await json(res)).msg).toMatch(/ssh_keys\.0: not an SSH public key/);
  });

  it('stops, starts, extends and deletes, releasing capacity only when the agent confirms', async () => {
    h = await createHarness();
    const [agent] = await fleet(1);
    await h.req('POST', '/v1/envs', seedBody());
    await h.idle();
    expect((await hostsReserved(h)).host_fleet00000001).toEqual({ cpu: 2, mem: 2048, disk: 40960 });
    expect((await h.req('POST', '/v1/envs/my-env/stop')).status).toBe(202);
    await h.idle();
    let env = await json<Env>(await h.req('GET', '/v1/envs/my-env'));
    expect([
      env.state,
      env.vms[0]?.state,
      agent?.vms.get(await h.zoneOf('my-env-0'))?.state,
    ]).toEqual(['stopped', 'stopped', 'stopped']);
    await h.req('POST', '/v1/envs/my-env/start');
    await h.idle();
    env = await json<Env>(await h.req('GET', '/v1/envs/my-env'));
    expect([env.state, env.vms[0]?.state]).toEqual(['active', 'running']);
    const before = Date.parse(env.expires_at);
    const extended = await json<Env>(
      await h.req('POST', '/v1/envs/my-env/extend', { seconds: 3600 }),
    );
    expect(Date.parse(extended.expires_at) - before).toBe(3_600_000);
    expect(extended.lifetime).toBe(21600 + 3600);
    const tooLong = await h.req('POST', '/v1/envs/my-env/extend', { seconds: 30 * 24 * 3600 });
    expect(tooLong.status).toBe(400);
    expect((await h.req('DELETE', '/v1/envs/my-env')).status).toBe(202);
    await h.idle();
    env = await json<Env>(await h.req('GET', '/v1/envs/my-env'));
    expect(env.state).toBe('deleted');
    expect(agent?.liveVms()).toEqual([]);
    expect((await hostsReserved(h)).host_fleet00000001).toEqual({ cpu: 0, mem: 0, disk: 0 });
    // A deleted environment's id can be used again.
    expect((await h.req('POST', '/v1/envs', seedBody())).status).toBe(202);
    await h.idle();
  });

  it('stops and starts a single VM', async () => {
    h = await createHarness();
    await fleet(1);
    await h.req('POST', '/v1/envs', seedBody());
    await h.idle();
    expect((await h.req('POST', '/v1/vms/my-env-0/stop')).status).toBe(202);
    await h.idle();
    expect((await json(await h.req('GET', '/v1/vms/my-env-0'))).state).toBe('stopped');
    await h.req('POST', '/v1/vms/my-env-0/start');
    await h.idle();
    expect((await json(await h.req('GET', '/v1/vms/my-env-0'))).state).toBe('running');
  });

  it('stops the environment right after a VM start that was still running, not at the next reconcile', async () => {
    h = await createHarness();
    const [agent] = await fleet(1);
    await h.req('POST', '/v1/envs', seedBody());
    await h.idle();
    await h.req('POST', '/v1/vms/my-env-0/stop');
    await h.idle();
    (agent as { opDelayMs: number }).opDelayMs = 300;
    expect((await h.req('POST', '/v1/vms/my-env-0/start')).status).toBe(202);
    const stopping = await h.req('POST', '/v1/envs/my-env/stop');
    expect(stopping.status).toBe(202);
    expect((await json<Env>(stopping)).state).toBe('stopping');
    // A delete meanwhile is refused with a retryable conflict (the stop owns the environment).
    expect((await h.req('DELETE', '/v1/envs/my-env')).status).toBe(409);
    await h.idle();
    const env = await json<Env>(await h.req('GET', '/v1/envs/my-env'));
    expect(env.state).toBe('stopped');
    expect(env.vms[0]?.state).toBe('stopped');
  });

  it('refuses a second environment with the same id, and deleting one still being created', async () => {
    h = await createHarness();
    const [agent] = await fleet(1);
    if (agent) agent.opDelayMs = 300;
    await h.req('POST', '/v1/envs', seedBody());
    const again = await h.req('POST', '/v1/envs', seedBody());
    expect(again.status).toBe(409);
    const del = await h.req('DELETE', '/v1/envs/my-env');
    expect(del.status).toBe(409);
    expect((await json(del)).retryable).toBe(true);
    await h.idle();
  });

  it('rolls the whole environment back on every host when one agent fails mid-create', async () => {
    h = await createHarness();
    const agents = await fleet(3, { cpu: 2, mem: 4096, disk: 100_000 });
    agents[1]?.failNext({
      kind: 'create',
      code: 'host_command_failed',
      msg: 'zoneadm boot failed (injected)',
    });
    for (const a of agents) a.opDelayMs = 30;
    const res = await h.req('POST', '/v1/envs', {
      id: 'trio',
      ssh_keys: [sshKey()],
      vms: [0, 1, 2].map(() => ({ image: 'alpine-cloud', cpu: 2, mem: 2048, disk: 20_000 })),
    });
    expect(res.status).toBe(202);
    const placed = await json<Env>(res);
    expect(new Set(placed.vms.map((v) => v.host_id)).size).toBe(3);
    await h.idle();
    const env = await json<Env>(await h.req('GET', '/v1/envs/trio'));
    expect(env.state).toBe('failed');
    expect(env.error?.msg).toMatch(/zoneadm boot failed \(injected\)/);
    expect(env.vms.every((v) => v.state === 'deleted')).toBe(true);
    for (const a of agents) expect(a.liveVms()).toEqual([]);
    for (const reserved of Object.values(await hostsReserved(h)))
      expect(reserved).toEqual({ cpu: 0, mem: 0, disk: 0 });
    const metrics = await (await h.core.app.request('/metrics')).text();
    expect(metrics).toContain('apiary_saga_failures_total{kind="create"} 1');
  });

  it('keeps the VMs that were created when the request says on_failure: keep', async () => {
    h = await createHarness();
    const agents = await fleet(2, { cpu: 2, mem: 4096, disk: 100_000 });
    agents[0]?.failNext({ kind: 'create' });
    await h.req('POST', '/v1/envs', {
      id: 'keeper',
      ssh_keys: [sshKey()],
      on_failure: 'keep',
      vms: [0, 1].map(() => ({ image: 'alpine-cloud', cpu: 2, mem: 2048, disk: 20_000 })),
    });
    await h.idle();
    const env = await json<Env>(await h.req('GET', '/v1/envs/keeper'));
    expect(env.state).toBe('degraded');
    expect(env.vms.map((v) => v.state).sort()).toEqual(['deleted', 'running']);
    expect(agents.flatMap((a) => a.liveVms()).map((v) => v.state)).toEqual(['running']);
  });

  it('never forgets a VM it could not delete, and the reaper finishes the job later', async () => {
    h = await createHarness();
    const [agent] = await fleet(1);
    await h.req('POST', '/v1/envs', seedBody());
    await h.idle();
    if (!agent) return;
    agent.down = true;
    await h.req('DELETE', '/v1/envs/my-env');
    await h.idle();
    let env = await json<Env>(await h.req('GET', '/v1/envs/my-env'));
    expect(env.state).toBe('deleting');
    expect(env.vms[0]?.state).toBe('deleting');
    expect(env.vms[0]?.error?.msg).toMatch(/cannot reach/);
    expect((await hostsReserved(h)).host_fleet00000001?.cpu).toBe(2);
    agent.down = false;
    await h.core.reap();
    await h.idle();
    env = await json<Env>(await h.req('GET', '/v1/envs/my-env'));
    expect(env.state).toBe('deleted');
    expect(agent.liveVms()).toEqual([]);
    expect((await hostsReserved(h)).host_fleet00000001?.cpu).toBe(0);
  });

  it('destroys expired environments with the reaper', async () => {
    h = await createHarness({ manualClock: true });
    const [agent] = await fleet(1);
    await h.req('POST', '/v1/envs', { ...seedBody(), lifetime: 60 });
    await h.idle();
    await h.core.reap();
    await h.idle();
    expect((await json<Env>(await h.req('GET', '/v1/envs/my-env'))).state).toBe('active');
    h.clock?.advance(61_000);
    await h.core.reap();
    await h.idle();
    expect((await json<Env>(await h.req('GET', '/v1/envs/my-env'))).state).toBe('deleted');
    expect(agent?.liveVms()).toEqual([]);
    expect(await (await h.core.app.request('/metrics')).text()).toContain(
      'apiary_reaper_actions_total{action="expire"} 1',
    );
  });

  it('never overcommits a host when 20 creates race for limited capacity', async () => {
    h = await createHarness();
    const agents = await fleet(3, { cpu: 4, mem: 8192, disk: 200_000 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.req('POST', '/v1/envs', {
          id: `race-${i}`,
          ssh_keys: [sshKey()],
          vms: [{ image: 'alpine-cloud', cpu: 2, mem: 2048, disk: 20_000 }],
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(6);
    expect(statuses.filter((s) => s === 409)).toHaveLength(14);
    const refusal = await json<{ code: string; details: { hosts: Array<{ reasons: string[] }> } }>(
      results[statuses.indexOf(409)] as Response,
    );
    expect(refusal.code).toBe('insufficient_capacity');
    expect(refusal.details.hosts).toHaveLength(3);
    expect(refusal.details.hosts[0]?.reasons[0]).toMatch(/not enough cpu: needs 2 vCPUs, 0 free/);
    await h.idle();
    for (const a of agents) {
      expect(a.peakUsed.cpu).toBeLessThanOrEqual(4);
      expect(a.liveVms()).toHaveLength(2);
    }
    // Losers left nothing behind: no environment, no VM, no reservation.
    const envs = await json<{ total: number }>(await h.req('GET', '/v1/envs'));
    expect(envs.total).toBe(6);
  });

  it('says per host why an environment cannot be placed', async () => {
    h = await createHarness();
    await fleet(2);
    await h.req('POST', '/v1/hosts/host_fleet00000002/drain', { mode: 'wait' });
    const res = await h.req('POST', '/v1/envs', {
      id: 'nope',
      ssh_keys: [sshKey()],
      vms: [{ image: 'alpine-cloud', engine: 'docker' }],
    });
    expect(res.status).toBe(409);
    const body = await json<{ details: { hosts: Array<{ host_id: string; reasons: string[] }> } }>(
      res,
    );
    const byHost = Object.fromEntries(
      body.details.hosts.map((x) => [x.host_id, x.reasons.join('; ')]),
    );
    expect(byHost.host_fleet00000001).toBe('does not offer engine docker (offers bhyve)');
    // A drain with nothing to wait for completes at once: the host is in maintenance.
    expect(byHost.host_fleet00000002).toMatch(
      /^host is in maintenance; does not offer engine docker/,
    );
  });

  it('refuses an image the controller does not know, naming the fix', async () => {
    h = await createHarness();
    await fleet(1);
    const res = await h.req('POST', '/v1/envs', {
      id: 'x',
      ssh_keys: [sshKey()],
      vms: [{ image: 'ubuntu' }],
    });
    expect(res.status).toBe(400);
    expect((await json(res)).msg).toMatch(/image ubuntu is not known.*upload it first/);
  });

  it('resumes an interrupted create after a controller restart without duplicating VMs', async () => {
    h = await createHarness();
    const [agent] = await fleet(1);
    if (!agent) return;
    agent.opDelayMs = 400;
    await h.req('POST', '/v1/envs', seedBody());
    await new Promise((r) => setTimeout(r, 100));
    await h.core.stop();
    expect((await json<Env>(await h.req('GET', '/v1/envs/my-env'))).state).toBe('creating');
    const restarted = await createControllerCore({
      config: h.core.ctx.config,
      database: h.database,
      fetch: h.network.fetch,
      log: h.core.ctx.log,
    });
    // Same data dir, same key file: the new process can open the stored agent key.
    await restarted.reap();
    await restarted.ctx.work.idle();
    const env = await json<Env>(
      await restarted.app.request('/v1/envs/my-env', {
        headers: { authorization: `Bearer ${h.adminKey}` },
      }),
    );
    expect(env.state).toBe('active');
    expect(agent.calls.filter((c) => c.method === 'POST' && c.path === '/api/vms').length).toBe(2);
    expect(agent.liveVms()).toHaveLength(1);
    await restarted.stop();
  });
});
