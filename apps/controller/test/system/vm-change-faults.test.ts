import { addFault, clearFaults } from '@apiary/illumos-sim';
import type { Env } from '@apiary/protocol';
import {
  type AgentDaemon,
  type ControllerDaemon,
  sshKey,
  uploadSampleImage,
  waitFor,
} from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { vmChangeClient } from './vm-change-client.js';

/*
 * VM changes when something breaks (issue 13): the agent fails a step, the controller is
 * killed mid-operation, an environment saga is asked for while a change runs.
 */
let c: ControllerDaemon;
let agents: AgentDaemon[];

fleetForFile(
  {
    agents: 2,
    // Short saga leases: a killed controller's saga is adopted within seconds.
    controllerArgs: ['--heartbeat-interval-ms', '1000', '--saga-lease-ttl-ms', '2000'],
    host: () => ({ cpus: 8, ram: '16G' }),
  },
  async (fleet) => {
    ({ controller: c, agents } = fleet);
    await uploadSampleImage(c.admin, 'alpine-cloud');
  },
);

const api = vmChangeClient(() => c);

interface AgentLine {
  msg?: string;
  kind?: string;
  vm_id?: string;
  operation_id?: string;
  time?: string;
}

/** The agent's log lines about operations on VM `vmId`, in order. */
function agentOps(agent: AgentDaemon, vmId: string): AgentLine[] {
  return agent.process.output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as AgentLine)
    .filter(
      (l) => l.vm_id === vmId && (l.msg === 'operation started' || l.msg === 'operation finished'),
    );
}

const zoneNames = (a: AgentDaemon) => a.host().zones.map((z) => z.name);

/** An environment of one VM (stopped if asked); its agent, host and zone name there. */
async function envWithOneVm(id: string, stopped: boolean) {
  const zonesBefore = new Set(agents.flatMap(zoneNames));
  const res = await c.call('POST', '/v1/envs', {
    id,
    ssh_keys: [sshKey()],
    vms: [{ image: 'alpine-cloud', cpu: 1, mem: 1024, disk: 10240 }],
  });
  expect(res.status).toBe(202);
  const env = await api.envSettled(id);
  expect(env.state).toBe('active');
  if (stopped) {
    await c.call('POST', `/v1/vms/${id}-0/stop`);
    await api.vmIn(`${id}-0`, 'stopped');
  }
  const agent = agents.find((a) => a.hostId === env.vms[0]?.host_id) as AgentDaemon;
  // The agent knows the VM by its zone name (the controller's internal id).
  const zone = zoneNames(agent).find((z) => !zonesBefore.has(z)) as string;
  return { env, agent, zone, hostId: env.vms[0]?.host_id ?? null };
}

async function cleanUp(id: string) {
  await c.call('DELETE', `/v1/envs/${id}`);
  expect((await api.envSettled(id)).state).toBe('deleted');
}

describe('VM changes when something fails', () => {
  it('gives the reservation back and leaves the VM as it was when the agent fails a step', async () => {
    const { agent, hostId } = await envWithOneVm('agfail', true);
    const before = await api.vm('agfail-0');
    const reserved = (await api.host(hostId)).capacity.reserved;
    await addFault(agent.simDir, {
      match: 'zfs set volsize*',
      count: 100,
      exit_code: 1,
      stderr: "cannot set property for 'injected': out of space\n",
    });
    try {
      const { operation } = await api.accept('PATCH', '/v1/vms/agfail-0', { cpu: 3, disk: 20480 });
      const done = await api.ended(operation.id);
      expect(done.state).toBe('failed');
      expect(done.error?.msg).toContain('out of space');
    } finally {
      await clearFaults(agent.simDir);
    }
    const after = await api.vm('agfail-0');
    expect([after.cpu, after.mem, after.disk, after.state]).toEqual([
      before.cpu,
      before.mem,
      before.disk,
      'stopped',
    ]);
    await api.reservedSettles(hostId, reserved);
    await cleanUp('agfail');
  }, 300_000);

  it('finishes a change a killed controller left, after its restart, without asking the agent twice', async () => {
    const { agent, zone, hostId } = await envWithOneVm('crash', true);
    const reserved = (await api.host(hostId)).capacity.reserved;
    // The agent's volsize step takes 5 s: time to kill the controller while it follows it.
    await addFault(agent.simDir, { match: 'zfs set volsize*', count: 1, hang_ms: 5000 });
    try {
      const { operation } = await api.accept('PATCH', '/v1/vms/crash-0', { cpu: 2, disk: 20480 });
      await waitFor(() => agentOps(agent, zone).some((l) => l.kind === 'update'), {
        what: 'the agent to start the update',
      });
      await c.kill();
      await c.restart();
      const done = await api.ended(operation.id);
      expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    } finally {
      await clearFaults(agent.simDir);
    }
    const vm = await api.vm('crash-0');
    expect([vm.cpu, vm.disk]).toEqual([2, 20480]);
    const started = agentOps(agent, zone).filter(
      (l) => l.msg === 'operation started' && l.kind === 'update',
    );
    expect(started).toHaveLength(1);
    await api.reservedSettles(hostId, {
      ...reserved,
      cpu: reserved.cpu + 1,
      disk: reserved.disk + 10240,
    });
    await cleanUp('crash');
  }, 300_000);

  it('runs an environment stop asked for during a change only after the change', async () => {
    const { agent, zone } = await envWithOneVm('both', false);
    await addFault(agent.simDir, { match: 'zfs set volsize*', count: 1, hang_ms: 3000 });
    try {
      const { operation } = await api.accept('PATCH', '/v1/vms/both-0', { disk: 20480 });
      await waitFor(() => agentOps(agent, zone).some((l) => l.kind === 'update'), {
        what: 'the agent to start the update',
      });
      // A change holds the environment: its stop is recorded now and runs after the change.
      const stop = await c.call('POST', '/v1/envs/both/stop');
      expect(stop.status).toBe(202);
      // And no second change is accepted meanwhile: the 409 names the running operation.
      const second = await api.refused('PATCH', '/v1/vms/both-0', { cpu: 2 });
      expect(second.status).toBe(409);
      expect(second.msg).toContain(operation.id);
      expect((await api.ended(operation.id)).state).toBe('succeeded');
      const env = await waitFor(
        async () => {
          const e = await api.json<Env>(c.call('GET', '/v1/envs/both'));
          return e.state === 'stopped' ? e : undefined;
        },
        { what: 'the environment to stop after the change', timeoutMs: 120_000 },
      );
      expect(env.vms[0]?.state).toBe('stopped');
    } finally {
      await clearFaults(agent.simDir);
    }
    const lines = agentOps(agent, zone);
    const updateEnd = lines.findIndex((l) => l.msg === 'operation finished' && l.kind === 'update');
    const stopStart = lines.findIndex((l) => l.msg === 'operation started' && l.kind === 'stop');
    expect(updateEnd).toBeGreaterThanOrEqual(0);
    expect(stopStart).toBeGreaterThan(updateEnd);
    await cleanUp('both');
  }, 300_000);
});
