import { addFault, clearFaults, type FaultSpec } from '@apiary/illumos-sim';
import type { VmOperation } from '@apiary/protocol';
import {
  type AgentDaemon,
  type ControllerDaemon,
  type Fleet,
  uploadSampleImage,
  waitFor,
} from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import {
  agentRecordsMatchBooks,
  expectSameBytes,
  hostHolds,
  type Moving,
  vmToMove as moveable,
  readDisk,
} from './migration-hosts.js';
import { editSagaMemo } from './saga-memo-edit.js';
import { vmChangeClient } from './vm-change-client.js';

/*
 * Moving a VM when something breaks (issue 15): the target fails its receive or its commit,
 * the source fails its send, the controller is killed between steps. Each ends with exactly
 * one copy of the VM (on the source before the switch, on the target after) and nothing of it
 * on the other host: both hosts' full state, their agents' records and the reservations.
 */
let c: ControllerDaemon;
let agents: AgentDaemon[];
let fleet: Fleet;

fleetForFile(
  {
    agents: 2,
    // Short saga leases: a killed controller's saga is adopted within seconds.
    controllerArgs: ['--heartbeat-interval-ms', '1000', '--saga-lease-ttl-ms', '2000'],
    host: () => ({ cpus: 8, ram: '16G' }),
  },
  async (started) => {
    fleet = started;
    ({ controller: c, agents } = fleet);
    await uploadSampleImage(c.admin, 'alpine-cloud');
  },
);

const api = vmChangeClient(() => c);
const MiB = 1024 * 1024;

const vmToMove = (id: string) => moveable(c, api, agents, id, MiB);

/** The VM is whole on the source, as before, and nothing of it is on the target. */
async function expectStillOnSource(m: Moving, name: string) {
  const vm = await api.vmIn(name, 'running');
  expect([vm.host_id, vm.port_map]).toEqual([m.a.hostId, m.vm.port_map]);
  expectSameBytes(readDisk(m.a, m.zone, m.data.length), m.data);
  expect(hostHolds(m.a)).toEqual(m.holdsA);
  expect(hostHolds(m.b)).toEqual(m.holdsB);
  await agentRecordsMatchBooks(c, m.b.hostId);
  await agentRecordsMatchBooks(c, m.a.hostId);
  await api.reservedSettles(m.a.hostId, m.reservedA);
  await api.reservedSettles(m.b.hostId, m.reservedB);
}

/** The VM is whole on the target and nothing of it is left on the source. */
async function expectOnTarget(m: Moving, name: string, op: VmOperation) {
  expect(op.state, JSON.stringify(op.error)).toBe('succeeded');
  const vm = await api.vmIn(name, 'running');
  expect(vm.host_id).toBe(m.b.hostId);
  expectSameBytes(readDisk(m.b, m.zone, m.data.length), m.data);
  expect(hostHolds(m.a)).toEqual(m.emptyA);
  await agentRecordsMatchBooks(c, m.a.hostId);
  await agentRecordsMatchBooks(c, m.b.hostId);
}

async function migrateWithFault(name: string, on: AgentDaemon, fault: FaultSpec) {
  await addFault(on.simDir, fault);
  try {
    const { operation } = await api.accept('POST', `/v1/vms/${name}/migrate`, {});
    return await api.ended(operation.id);
  } finally {
    await clearFaults(on.simDir);
  }
}

async function cleanUp(id: string) {
  await c.call('DELETE', `/v1/envs/${id}`);
  expect((await api.envSettled(id)).state).toBe('deleted');
}

describe('moving a VM when something fails', () => {
  it('the target failing its receive: the VM stays running on the source, nothing on the target', async () => {
    const m = await vmToMove('frecv');
    const op = await migrateWithFault('frecv-0', m.b, {
      match: 'zfs receive -s*',
      count: null,
      exit_code: 1,
      stderr: 'cannot receive new filesystem stream: I/O error\n',
    });
    expect(op.state).toBe('failed');
    expect(op.error?.msg).toBeTruthy();
    await expectStillOnSource(m, 'frecv-0');
    await cleanUp('frecv');
  }, 300_000);

  it('the target failing its commit: the VM runs on the source again, nothing on the target', async () => {
    const m = await vmToMove('fcommit');
    const op = await migrateWithFault('fcommit-0', m.b, {
      match: 'zonecfg -z * -f *',
      count: null,
      exit_code: 1,
      stderr: 'zonecfg: injected failure\n',
    });
    expect(op.state).toBe('failed');
    expect(op.step).toBeNull();
    await expectStillOnSource(m, 'fcommit-0');
    await cleanUp('fcommit');
  }, 300_000);

  it('the source failing its send: the VM stays running on the source, nothing on the target', async () => {
    const m = await vmToMove('fsend');
    const op = await migrateWithFault('fsend-0', m.a, {
      match: 'zfs send rpool*',
      count: null,
      hang_ms: 200,
      exit_code: 1,
      stderr: 'warning: cannot send: I/O error\n',
    });
    expect(op.state).toBe('failed');
    await expectStillOnSource(m, 'fsend-0');
    await cleanUp('fsend');
  }, 300_000);

  for (const step of ['copy', 'delta', 'commit'] as const) {
    it(`a controller killed during the ${step} step: resumed after its restart, one copy on the target`, async () => {
      const id = `kill${step}`;
      const m = await vmToMove(id);
      // The step's host command takes a few seconds: time to kill the controller in it.
      const slow: Record<typeof step, { on: AgentDaemon; match: string }> = {
        copy: { on: m.a, match: 'zfs send rpool*full' },
        delta: { on: m.a, match: 'zfs send -i*' },
        commit: { on: m.b, match: 'zonecfg -z * -f *' },
      };
      await addFault(slow[step].on.simDir, { match: slow[step].match, count: 1, hang_ms: 4000 });
      try {
        const { operation } = await api.accept('POST', `/v1/vms/${id}-0/migrate`, {});
        await waitFor(
          async () => {
            const o = await api.json<VmOperation>(c.call('GET', `/v1/operations/${operation.id}`));
            return o.step === step ? o : undefined;
          },
          { what: `the migration to reach ${step}`, timeoutMs: 120_000, intervalMs: 50 },
        );
        await c.kill();
        await c.restart();
        await expectOnTarget(m, `${id}-0`, await api.ended(operation.id));
      } finally {
        await clearFaults(slow[step].on.simDir);
      }
      await cleanUp(id);
    }, 300_000);
  }
});

/** The operation an agent runs on VM `zone` now (null when none), read from the agent itself. */
async function agentOperationOn(agent: AgentDaemon, key: string, zone: string) {
  const headers = { authorization: `Bearer ${key}` };
  const vm = (await (await agent.fetch(`/api/vms/${zone}`, { headers })).json()) as {
    operation_id: string | null;
  };
  if (!vm.operation_id) return null;
  const op = await agent.fetch(`/api/operations/${vm.operation_id}`, { headers });
  return (await op.json()) as { id: string; kind: string; state: string };
}

describe('moving a VM whose export answer was lost', () => {
  /*
   * The controller dies after the source took the full copy's export (202) and before the saga
   * recorded its answer; the export ends while no controller runs. The books are put in that
   * state by hand (the memo keeps only what was written before sending: the request id), as
   * no timing of a kill hits that window reliably.
   */
  for (const outcome of ['fails', 'succeeds'] as const) {
    it(`the export ${outcome} before the saga resumes: found by its request id, nothing left behind`, async () => {
      const id = `lost${outcome.slice(0, 4)}`;
      const m = await vmToMove(id);
      const keyA = await m.a.createKey('admin');
      // The first send waits: time to kill the controller while the export runs.
      await addFault(m.a.simDir, { match: 'zfs send rpool*full', count: 1, hang_ms: 3000 });
      if (outcome === 'fails') {
        // Every stream into the target is cut part-way: a partial receive (with its resume
        // token) stays there after each try, until the export gives up.
        await addFault(m.b.simDir, { match: 'zfs receive -s*', count: null, stdin_bytes: 65536 });
      }
      try {
        const { operation } = await api.accept('POST', `/v1/vms/${id}-0/migrate`, {});
        await waitFor(async () => (await agentOperationOn(m.a, keyA, m.zone))?.kind === 'export', {
          what: 'the source to take the export',
          timeoutMs: 120_000,
          intervalMs: 50,
        });
        await c.kill();
        await editSagaMemo(fleet, c, operation.id, (memo) => {
          const full = memo.full as { requestId?: string };
          expect(full.requestId, 'the request id is recorded before sending').toBeTruthy();
          return { ...memo, full: { sending: true, requestId: full.requestId } };
        });
        await waitFor(async () => (await agentOperationOn(m.a, keyA, m.zone)) === null, {
          what: 'the export to end on the source',
          timeoutMs: 120_000,
          intervalMs: 200,
        });
        await clearFaults(m.a.simDir);
        await clearFaults(m.b.simDir);
        await c.restart();
        const op = await api.ended(operation.id);
        if (outcome === 'fails') {
          expect(op.state).toBe('failed');
          await expectStillOnSource(m, `${id}-0`);
        } else {
          await expectOnTarget(m, `${id}-0`, op);
        }
      } finally {
        await clearFaults(m.a.simDir);
        await clearFaults(m.b.simDir);
      }
      await cleanUp(id);
    }, 300_000);
  }
});

describe('moving a VM whose old host fails to release it', () => {
  it('the release is retried until the source removes its copy, across a restart: one copy, on the target', async () => {
    const m = await vmToMove('frelease');
    // The zone's uninstall fails eight times: the agent tries each undo four times, so two
    // releases fail and leave the source's copy there (the VM failed on the source).
    await addFault(m.a.simDir, {
      match: `zoneadm -z ${m.zone} uninstall*`,
      count: 8,
      exit_code: 1,
      stderr: `zoneadm: zone '${m.zone}': uninstall failed\n`,
    });
    try {
      const { operation } = await api.accept('POST', '/v1/vms/frelease-0/migrate', {});
      const warned = await waitFor(
        async () => {
          const o = await api.json<VmOperation>(c.call('GET', `/v1/operations/${operation.id}`));
          return o.warning || o.state !== 'running' ? o : undefined;
        },
        {
          what: 'the operation to warn of the pending release',
          timeoutMs: 120_000,
          intervalMs: 100,
        },
      );
      expect([warned.state, warned.step]).toEqual(['running', 'release']);
      expect(warned.warning).toMatch(
        /old host has not removed its copy yet \(\d+ failed attempts?, retried\)/,
      );
      // The VM already runs on the target; the retries outlive a controller restart.
      expect((await api.vm('frelease-0')).host_id).toBe(m.b.hostId);
      await c.kill();
      await c.restart();
      const op = await api.ended(operation.id);
      expect(op.warning).toBeUndefined();
      await expectOnTarget(m, 'frelease-0', op);
    } finally {
      await clearFaults(m.a.simDir);
    }
    await cleanUp('frelease');
  }, 300_000);
});
