import { addFault, clearFaults, readFaults, readState } from '@apiary/illumos-sim';
import type { VmOperation } from '@apiary/protocol';
import {
  type AgentDaemon,
  type ControllerDaemon,
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
import { vmChangeClient } from './vm-change-client.js';

/*
 * Moving a VM when one of the two agents goes away while the full copy streams (issue 15):
 * the source killed, the target killed, the target frozen (SIGSTOP, then SIGCONT). Each ends
 * with exactly one copy of the VM, running (on the source as before, or resumed onto the
 * target), and nothing of it on the other host: zones, VNICs, datasets and snapshots, partial
 * receives with their resume tokens, forwards, filters, the agents' records and reservations.
 */
let c: ControllerDaemon;
let agents: AgentDaemon[];

fleetForFile(
  {
    agents: 2,
    controllerArgs: ['--heartbeat-interval-ms', '1000'],
    host: () => ({ cpus: 8, ram: '16G' }),
  },
  async (fleet) => {
    ({ controller: c, agents } = fleet);
    await uploadSampleImage(c.admin, 'alpine-cloud');
  },
);

const api = vmChangeClient(() => c);
// Far more than the pipe and socket buffers between the two agents hold: the sender is still
// writing when the receive stalls.
const DATA = 8 * 1024 * 1024;

/** The datasets of a host that hold a partial `zfs receive -s` (and so a resume token). */
function partialReceives(agent: AgentDaemon): string[] {
  return Object.entries(readState(agent.simDir).datasets)
    .filter(([, ds]) => ds.partial !== undefined || ds.recvClone !== undefined)
    .map(([name]) => name)
    .sort();
}

const vmToMove = (id: string) => moveable(c, api, agents, id, DATA);

/**
 * The migration's end, whichever it was: failed, the VM runs on the source as before and the
 * target is as it was; succeeded, it runs on the target with the same bytes and the source no
 * longer holds anything of it. Neither host keeps a partial receive.
 */
async function expectOneCopy(m: Moving, name: string, op: VmOperation) {
  expect(['succeeded', 'failed']).toContain(op.state);
  const vm = await api.vmIn(name, 'running');
  if (op.state === 'failed') {
    expect([vm.host_id, vm.port_map]).toEqual([m.a.hostId, m.vm.port_map]);
    expectSameBytes(readDisk(m.a, m.zone, m.data.length), m.data);
    expect(hostHolds(m.a)).toEqual(m.holdsA);
    expect(hostHolds(m.b)).toEqual(m.holdsB);
    await api.reservedSettles(m.b.hostId, m.reservedB);
    await api.reservedSettles(m.a.hostId, m.reservedA);
  } else {
    expect(vm.host_id).toBe(m.b.hostId);
    expectSameBytes(readDisk(m.b, m.zone, m.data.length), m.data);
    expect(hostHolds(m.a)).toEqual(m.emptyA);
    await api.reservedSettles(m.a.hostId, m.unreservedA);
  }
  expect(partialReceives(m.a)).toEqual([]);
  expect(partialReceives(m.b)).toEqual([]);
  await agentRecordsMatchBooks(c, m.a.hostId);
  await agentRecordsMatchBooks(c, m.b.hostId);
}

/**
 * Starts moving the VM and returns once its full copy is mid-stream: the target's receive has
 * started and stalls (an injected hang before it reads), so the source's send is blocked part
 * way through the volume.
 */
async function migrateUntilMidStream(m: Moving, name: string) {
  const stall = await addFault(m.b.simDir, {
    match: 'zfs receive -s*',
    count: 1,
    hang_ms: 4000,
  });
  const { operation } = await api.accept('POST', `/v1/vms/${name}/migrate`, {});
  await waitFor(async () => !readFaults(m.b.simDir).some((f) => f.id === stall.id), {
    what: 'the full copy to reach the target',
    timeoutMs: 120_000,
    intervalMs: 25,
  });
  const op = await api.json<VmOperation>(c.call('GET', `/v1/operations/${operation.id}`));
  expect([op.state, op.step]).toEqual(['running', 'copy']);
  return operation.id;
}

async function cleanUp(m: Moving, id: string) {
  await clearFaults(m.a.simDir);
  await clearFaults(m.b.simDir);
  await c.call('DELETE', `/v1/envs/${id}`);
  expect((await api.envSettled(id)).state).toBe('deleted');
}

describe('moving a VM when an agent goes away mid-stream', () => {
  it('the source agent killed during the full copy, then restarted: one copy, nothing left over', async () => {
    const m = await vmToMove('ksrc');
    const opId = await migrateUntilMidStream(m, 'ksrc-0');
    await m.a.kill();
    await m.a.restart();
    const op = await api.ended(opId);
    // The source's export is journaled: after its restart it resumes the stream from the
    // target's resume token, and the migration goes through.
    expect(op.state, JSON.stringify(op.error)).toBe('succeeded');
    await expectOneCopy(m, 'ksrc-0', op);
    await cleanUp(m, 'ksrc');
  }, 300_000);

  it('the target agent killed during the full copy, then restarted: one copy, nothing left over', async () => {
    const m = await vmToMove('ktgt');
    const opId = await migrateUntilMidStream(m, 'ktgt-0');
    await m.b.kill();
    // Away for longer than the source's send and the saga's quick retries take to give up:
    // the undo finds the target down and must wait for it.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await m.b.restart();
    await expectOneCopy(m, 'ktgt-0', await api.ended(opId));
    await cleanUp(m, 'ktgt');
  }, 300_000);

  it('the target agent frozen during the full copy (SIGSTOP, then SIGCONT): one copy, nothing left over', async () => {
    const m = await vmToMove('stgt');
    const opId = await migrateUntilMidStream(m, 'stgt-0');
    m.b.process.child.kill('SIGSTOP');
    try {
      // Long enough for heartbeats to lapse and the source's stream to stall.
      await new Promise((resolve) => setTimeout(resolve, 8000));
    } finally {
      m.b.process.child.kill('SIGCONT');
    }
    await expectOneCopy(m, 'stgt-0', await api.ended(opId));
    await cleanUp(m, 'stgt');
  }, 300_000);
});
