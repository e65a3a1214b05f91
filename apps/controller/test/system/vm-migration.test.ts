import { randomBytes } from 'node:crypto';
import type { Drain, Env } from '@apiary/protocol';
import {
  type AgentDaemon,
  type ControllerDaemon,
  sshKey,
  uploadSampleImage,
  waitFor,
} from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import {
  agentRecordsMatchBooks,
  endedWithProgress,
  expectSameBytes,
  holdsOf,
  hostHolds,
  newZone,
  readDisk,
  writeDisk,
} from './migration-hosts.js';
import { vmChangeClient } from './vm-change-client.js';

/*
 * Moving VMs between hosts end to end (issue 15): a controller and two agents on simulated
 * hosts. The disks go agent to agent (`zfs send` into `zfs receive`), the controller runs the
 * saga around them and switches the VM row.
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
const MiB = 1024 * 1024;
const zonesNow = () => new Set(agents.flatMap((a) => a.host().zones.map((z) => z.name)));
const agentOf = (hostId: string | null) => agents.find((a) => a.hostId === hostId) as AgentDaemon;

async function envOf(id: string, vms = 1): Promise<Env> {
  const res = await c.call('POST', '/v1/envs', {
    id,
    ssh_keys: [sshKey()],
    vms: Array.from({ length: vms }, () => ({
      image: 'alpine-cloud',
      cpu: 1,
      mem: 1024,
      disk: 1024,
      ports: [8080],
    })),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  const env = await api.envSettled(id);
  expect(env.state).toBe('active');
  return env;
}

describe('moving a VM to another host', () => {
  it('carries a running VM with its data, id and env; nothing of it stays on the old host', async () => {
    const holdsBefore = new Map(agents.map((a) => [a.hostId, hostHolds(a)]));
    const zones = zonesNow();
    const env = await envOf('mv');
    const a = agentOf(env.vms[0]?.host_id ?? null);
    const b = agents.find((x) => x !== a) as AgentDaemon;
    const zone = newZone(a, zones);
    const before = await api.vm('mv-0');
    expect(before.state).toBe('running');
    const reservedA = (await api.host(a.hostId)).capacity.reserved;
    const reservedB = (await api.host(b.hostId)).capacity.reserved;

    const data = randomBytes(2 * MiB);
    writeDisk(a, zone, data);

    // Refusals first: an unknown host, the VM's own host.
    const unknown = await api.refused('POST', '/v1/vms/mv-0/migrate', { to: 'no-such-host' });
    expect(unknown.status).toBe(404);
    const same = await api.refused('POST', '/v1/vms/mv-0/migrate', { to: a.hostId });
    expect([same.status, same.msg]).toEqual([409, expect.stringContaining('already')]);

    const { operation } = await api.accept('POST', '/v1/vms/mv-0/migrate', {});
    expect(operation.kind).toBe('migrate');
    // One operation per VM: a second migration is refused while this one runs.
    const second = await api.refused('POST', '/v1/vms/mv-0/migrate', {});
    expect([second.status, second.msg]).toEqual([409, expect.stringContaining(operation.id)]);
    const { op } = await endedWithProgress(c, operation.id);
    expect(op.state, JSON.stringify(op.error)).toBe('succeeded');
    expect(op.result).toMatchObject({ from_host: a.hostId, to_host: b.hostId });
    expect(op.result?.downtime_ms).toBeGreaterThan(0);
    expect(op.progress?.bytes_sent).toBeGreaterThanOrEqual(data.length);
    expect(op.progress?.bytes_sent).toBe(op.progress?.bytes_total);

    const after = await api.vm('mv-0');
    expect(after).toMatchObject({
      id: before.id,
      env_id: before.env_id,
      host_id: b.hostId,
      state: 'running',
      cpu: before.cpu,
      mem: before.mem,
      disk: before.disk,
      ports: before.ports,
    });
    expect(op.result?.port_map).toEqual(after.port_map);
    expect(after.host_addr).toBe((await api.host(b.hostId)).public_addr);
    // Its host ports are free on the new host: kept.
    expect(after.port_map).toEqual(before.port_map);

    // The same bytes on the new host; nothing of the VM on the old one, in its records neither.
    expectSameBytes(readDisk(b, zone, data.length), data);
    expect(holdsOf(b, zone).zones).toEqual([`${zone}:running`]);
    expect(hostHolds(a)).toEqual(holdsBefore.get(a.hostId));
    await agentRecordsMatchBooks(c, a.hostId);
    // The capacity moved with it.
    await api.reservedSettles(a.hostId, {
      cpu: reservedA.cpu - 1,
      mem: reservedA.mem - 1024,
      disk: reservedA.disk - 1024,
    });
    await api.reservedSettles(b.hostId, {
      cpu: reservedB.cpu + 1,
      mem: reservedB.mem + 1024,
      disk: reservedB.disk + 1024,
    });

    // A VM on the old host now takes the lowest host ports there: those mv-0 had.
    const blocker = await envOf('blk');
    expect(blocker.vms[0]?.host_id).toBe(a.hostId);
    const blk = await api.vm('blk-0');
    expect(blk.port_map).toEqual(before.port_map);

    // Back to the first host, named: its ports are taken there, so they are remapped.
    const back = await api.accept('POST', '/v1/vms/mv-0/migrate', { to: a.hostId });
    const { op: backOp } = await endedWithProgress(c, back.operation.id);
    expect(backOp.state, JSON.stringify(backOp.error)).toBe('succeeded');
    const home = await api.vm('mv-0');
    expect([home.host_id, home.state]).toEqual([a.hostId, 'running']);
    expect(Object.keys(home.port_map).sort()).toEqual(Object.keys(before.port_map).sort());
    const taken = new Set(Object.values(blk.port_map));
    expect(Object.values(home.port_map).some((p) => taken.has(p))).toBe(false);
    expectSameBytes(readDisk(a, zone, data.length), data);
    expect(holdsOf(b, zone)).toEqual({ zones: [], datasets: [] });
    await agentRecordsMatchBooks(c, b.hostId);

    for (const id of ['mv', 'blk']) {
      await c.call('DELETE', `/v1/envs/${id}`);
      expect((await api.envSettled(id)).state).toBe('deleted');
    }
    for (const x of agents) expect(hostHolds(x)).toEqual(holdsBefore.get(x.hostId));
  }, 600_000);

  it('drains a host of three VMs by moving them (mode migrate), two at a time', async () => {
    const holdsBefore = new Map(agents.map((a) => [a.hostId, hostHolds(a)]));
    const env = await envOf('dr', 3);
    const a = agentOf(env.vms[0]?.host_id ?? null);
    const b = agents.find((x) => x !== a) as AgentDaemon;
    // Placement spreads them: the others are brought to the first one's host first.
    for (const vm of env.vms.filter((v) => v.host_id !== a.hostId)) {
      const moved = await api.accept('POST', `/v1/vms/${vm.id}/migrate`, { to: a.hostId });
      expect((await api.ended(moved.operation.id)).state).toBe('succeeded');
    }
    const names = env.vms.map((v) => v.id).sort();
    for (const name of names) expect((await api.vm(name)).host_id).toBe(a.hostId);

    const res = await c.call('POST', `/v1/hosts/${a.hostId}/drain`, {
      mode: 'migrate',
      max_parallel: 2,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const started = (await res.json()) as Drain;
    expect([started.mode, started.max_parallel, started.vms_total]).toEqual(['migrate', 2, 3]);
    let most = 0;
    const done = await waitFor(
      async () => {
        const d = (await (
          await c.call('GET', `/v1/hosts/${a.hostId}/drain-status`)
        ).json()) as Drain;
        most = Math.max(most, d.vms_moving ?? 0);
        return d.state !== 'draining' ? d : undefined;
      },
      { what: 'the drain to end', timeoutMs: 400_000, intervalMs: 200 },
    );
    expect(done).toMatchObject({
      state: 'complete',
      complete: true,
      vms_total: 3,
      vms_remaining: 0,
      vms_moved: 3,
      vms_moving: 0,
      vms_failed: 0,
    });
    expect(most).toBeLessThanOrEqual(2);
    expect(done.vms.map((v) => v.move)).toEqual(['moved', 'moved', 'moved']);
    expect((await api.host(a.hostId)).policy).toBe('maintenance');
    for (const name of names) {
      const vm = await api.vm(name);
      expect([vm.host_id, vm.state]).toEqual([b.hostId, 'running']);
    }
    expect(hostHolds(a)).toEqual(holdsBefore.get(a.hostId));
    await agentRecordsMatchBooks(c, a.hostId);

    expect((await c.call('POST', `/v1/hosts/${a.hostId}/activate`)).status).toBe(200);
    await c.call('DELETE', '/v1/envs/dr');
    expect((await api.envSettled('dr')).state).toBe('deleted');
    for (const x of agents) expect(hostHolds(x)).toEqual(holdsBefore.get(x.hostId));
  }, 900_000);
});
