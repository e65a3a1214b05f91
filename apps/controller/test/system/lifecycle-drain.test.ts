import type { Drain, Env, Host } from '@apiary/protocol';
import type { AgentDaemon, ControllerDaemon } from '@apiary/testkit';
import { sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { asVmNames, EMPTY_FOOTPRINT, footprint } from './footprint.js';

let c: ControllerDaemon;
let agents: AgentDaemon[];

fleetForFile(
  { agents: 2, controllerArgs: ['--heartbeat-interval-ms', '1000', '--drain-interval-ms', '300'] },
  async (fleet) => {
    ({ controller: c, agents } = fleet);
    await uploadSampleImage(c.admin, 'alpine-cloud');
  },
);

const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;
const agentOf = (hostId: string | null) => agents.find((a) => a.hostId === hostId) as AgentDaemon;

async function envIn(id: string, states: string[], timeoutMs = 120_000): Promise<Env> {
  return waitFor(
    async () => {
      const e = await json<Env>(c.call('GET', `/v1/envs/${id}`));
      return states.includes(e.state) ? e : undefined;
    },
    { what: `${id} to be ${states.join('/')}`, timeoutMs, intervalMs: 250 },
  );
}

async function create(id: string, vms = 1, extra: Record<string, unknown> = {}) {
  const res = await c.call('POST', '/v1/envs', {
    id,
    ssh_keys: [sshKey()],
    vms: Array.from({ length: vms }, () => ({
      image: 'alpine-cloud',
      cpu: 1,
      mem: 1024,
      disk: 10240,
      ports: [8080],
    })),
    ...extra,
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return envIn(id, ['active', 'failed', 'degraded']);
}

describe('environment lifecycle on real agents', () => {
  it('creates, stops, starts, extends and deletes, with the host state right at each step', async () => {
    const env = await create('life', 2);
    expect(env.state).toBe('active');
    // Spread: one VM per host.
    expect(new Set(env.vms.map((v) => v.host_id)).size).toBe(2);
    for (const vm of env.vms)
      expect(asVmNames(footprint(agentOf(vm.host_id).host()).zones)).toEqual([`${vm.id}:running`]);

    expect((await c.call('POST', '/v1/envs/life/stop')).status).toBe(202);
    const stopped = await envIn('life', ['stopped']);
    expect(stopped.vms.map((v) => v.state)).toEqual(['stopped', 'stopped']);
    for (const vm of env.vms)
      expect(asVmNames(footprint(agentOf(vm.host_id).host()).zones)).toEqual([
        `${vm.id}:installed`,
      ]);

    await c.call('POST', '/v1/envs/life/start');
    const started = await envIn('life', ['active']);
    expect(started.vms.map((v) => v.state)).toEqual(['running', 'running']);
    for (const vm of env.vms)
      expect(asVmNames(footprint(agentOf(vm.host_id).host()).zones)).toEqual([`${vm.id}:running`]);

    const extended = await json<Env>(c.call('POST', '/v1/envs/life/extend', { seconds: 7200 }));
    expect(Date.parse(extended.expires_at) - Date.parse(started.expires_at)).toBe(7_200_000);

    await c.call('DELETE', '/v1/envs/life');
    await envIn('life', ['deleted']);
    for (const a of agents) expect(footprint(a.host())).toEqual(EMPTY_FOOTPRINT);
    const hosts = await json<{ items: Host[] }>(c.call('GET', '/v1/hosts'));
    for (const h of hosts.items) expect(h.capacity.reserved).toEqual({ cpu: 0, mem: 0, disk: 0 });
  }, 300_000);
});

describe('drain on real agents', () => {
  it('waits for the VMs to end (wait mode), then puts the host in maintenance until activate', async () => {
    const env = await create('drain-wait', 1);
    const host = env.vms[0]?.host_id as string;
    const started = await json<Drain>(c.call('POST', `/v1/hosts/${host}/drain`, { mode: 'wait' }));
    expect(started).toMatchObject({
      mode: 'wait',
      state: 'draining',
      vms_total: 1,
      vms_remaining: 1,
    });
    // New environments avoid the draining host.
    const other = await create('drain-other', 1);
    expect(other.vms[0]?.host_id).not.toBe(host);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await json(c.call('GET', `/v1/hosts/${host}/drain-status`))).toMatchObject({
      complete: false,
      vms_remaining: 1,
    });
    await c.call('DELETE', '/v1/envs/drain-wait');
    const done = await waitFor(
      async () => {
        const s = await json<Drain>(c.call('GET', `/v1/hosts/${host}/drain-status`));
        return s.complete ? s : undefined;
      },
      { what: 'drain to complete', timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(done).toMatchObject({
      state: 'complete',
      vms_total: 1,
      vms_remaining: 0,
      vms_failed: 0,
    });
    expect(done.vms[0]).toMatchObject({ id: 'drain-wait-0', state: 'deleted' });
    expect(footprint(agentOf(host).host()).zones).toEqual([]);
    expect((await json<Host>(c.call('GET', `/v1/hosts/${host}`))).policy).toBe('maintenance');
    expect((await json<Host>(c.call('POST', `/v1/hosts/${host}/activate`))).policy).toBe(
      'eligible',
    );
    await c.call('DELETE', '/v1/envs/drain-other');
    await envIn('drain-other', ['deleted']);
  }, 300_000);

  it('stops the VMs at the deadline (stop mode) and completes only when the host says they are stopped', async () => {
    const env = await create('drain-stop', 2);
    const host = env.vms[0]?.host_id as string;
    const onHost = env.vms.filter((v) => v.host_id === host).map((v) => v.id);
    const started = await json<Drain>(
      c.call('POST', `/v1/hosts/${host}/drain`, { mode: 'stop', deadline_seconds: 2 }),
    );
    expect(started.vms_total).toBe(onHost.length);
    expect(started.deadline).not.toBeNull();
    const done = await waitFor(
      async () => {
        const s = await json<Drain>(c.call('GET', `/v1/hosts/${host}/drain-status`));
        return s.complete ? s : undefined;
      },
      { what: 'stop drain to complete', timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(done.vms.every((v) => v.state === 'stopped')).toBe(true);
    expect(asVmNames(footprint(agentOf(host).host()).zones)).toEqual(
      onHost.map((id) => `${id}:installed`),
    );
    expect((await json<Host>(c.call('GET', `/v1/hosts/${host}`))).policy).toBe('maintenance');
    await c.call('POST', `/v1/hosts/${host}/activate`);
    await c.call('DELETE', '/v1/envs/drain-stop');
    await envIn('drain-stop', ['deleted']);
    for (const a of agents) expect(footprint(a.host())).toEqual(EMPTY_FOOTPRINT);
  }, 300_000);
});
