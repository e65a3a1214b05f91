import { randomBytes } from 'node:crypto';
import { readState, readZvol, writeZvol } from '@apiary/illumos-sim';
import type { Env, Host, VmOperation } from '@apiary/protocol';
import { type AgentDaemon, type ControllerDaemon, sshKey, waitFor } from '@apiary/testkit';
import { expect } from 'vitest';
import { footprint } from './footprint.js';
import type { vmChangeClient } from './vm-change-client.js';

/** Helpers for moving VMs between simulated hosts in system tests (issue 15). */

/** The boot volume of VM zone `zone` on an agent's simulated host (`<pool>/apiary/vms/<zone>/disk0`). */
export function bootVolume(agent: AgentDaemon, zone: string): string {
  const name = Object.keys(readState(agent.simDir).datasets).find((d) =>
    d.endsWith(`/apiary/vms/${zone}/disk0`),
  );
  if (!name) throw new Error(`no boot volume of ${zone} on ${agent.hostId}`);
  return name;
}

export function writeDisk(agent: AgentDaemon, zone: string, data: Buffer, offset = 0) {
  writeZvol(agent.simDir, bootVolume(agent, zone), data, offset);
}

export function readDisk(agent: AgentDaemon, zone: string, length: number, offset = 0) {
  return readZvol(agent.simDir, bootVolume(agent, zone), { offset, length });
}

/** What a host holds of VMs: zones, VNICs, datasets (snapshots included), forwards, filters. */
export const hostHolds = (agent: AgentDaemon) => footprint(agent.host());

/** What a host holds of one VM zone (its part of `hostHolds`). */
export function holdsOf(agent: AgentDaemon, zone: string) {
  const f = hostHolds(agent);
  return {
    zones: f.zones.filter((z) => z.startsWith(`${zone}:`)),
    datasets: f.datasets.filter((d) => d.includes(`/apiary/vms/${zone}`)),
  };
}

/** The zone an agent's host gained since `before` (the zones seen then). */
export function newZone(agent: AgentDaemon, before: Set<string>): string {
  const zone = agent
    .host()
    .zones.map((z) => z.name)
    .find((z) => z !== 'global' && !before.has(z));
  if (!zone) throw new Error(`no new zone on ${agent.hostId}`);
  return zone;
}

/**
 * The host's agent holds records of exactly the VMs the controller's books place on it (its
 * heartbeat's VM count against the environments' VMs on that host): a VM released, or an
 * import dropped, is gone from the agent's records too.
 */
export async function agentRecordsMatchBooks(c: ControllerDaemon, hostId: string) {
  return waitFor(
    async () => {
      const h = (await (await c.call('GET', `/v1/hosts/${hostId}`)).json()) as Host;
      const envs = (await (await c.call('GET', '/v1/envs?limit=100')).json()) as { items: Env[] };
      const booked = envs.items
        .flatMap((e) => e.vms)
        .filter((v) => v.host_id === hostId && v.state !== 'deleted').length;
      return h.vm_count === booked ? h : undefined;
    },
    {
      what: `host ${hostId}'s agent records to match the books`,
      timeoutMs: 30_000,
      intervalMs: 250,
    },
  );
}

/** The operation's progress as it was seen while it ran (polled until it ended). */
export async function endedWithProgress(c: ControllerDaemon, id: string) {
  const seen: NonNullable<VmOperation['progress']>[] = [];
  const op = await waitFor(
    async () => {
      const o = (await (await c.call('GET', `/v1/operations/${id}`)).json()) as VmOperation;
      if (o.progress) seen.push(o.progress);
      return o.state === 'succeeded' || o.state === 'failed' ? o : undefined;
    },
    { what: `operation ${id} to end`, timeoutMs: 240_000, intervalMs: 100 },
  );
  return { op, seen };
}

export function expectSameBytes(got: Buffer, want: Buffer) {
  expect(got.equals(want), 'the bytes read on the new host are those written on the old').toBe(
    true,
  );
}

/**
 * A running one-VM environment `id` with `bytes` of random data on its disk, and both hosts as
 * they are before it moves: `a` holds it, `b` is the other.
 */
export async function vmToMove(
  c: ControllerDaemon,
  api: ReturnType<typeof vmChangeClient>,
  agents: AgentDaemon[],
  id: string,
  bytes: number,
) {
  const zones = new Set(agents.flatMap((a) => a.host().zones.map((z) => z.name)));
  const beforeVm = new Map(agents.map((x) => [x.hostId, hostHolds(x)]));
  const reservedBefore = new Map(
    await Promise.all(
      agents.map(async (x) => [x.hostId, (await api.host(x.hostId)).capacity.reserved] as const),
    ),
  );
  const res = await c.call('POST', '/v1/envs', {
    id,
    ssh_keys: [sshKey()],
    vms: [{ image: 'alpine-cloud', cpu: 1, mem: 1024, disk: 1024, ports: [8080] }],
  });
  expect(res.status).toBe(202);
  const env = await api.envSettled(id);
  expect(env.state).toBe('active');
  const a = agents.find((x) => x.hostId === env.vms[0]?.host_id) as AgentDaemon;
  const b = agents.find((x) => x !== a) as AgentDaemon;
  const zone = newZone(a, zones);
  const data = randomBytes(bytes);
  writeDisk(a, zone, data);
  return {
    a,
    b,
    zone,
    data,
    vm: await api.vm(`${id}-0`),
    holdsA: hostHolds(a),
    /** The source as it was before the VM was made: what it holds once the VM left. */
    emptyA: beforeVm.get(a.hostId),
    /** What the source reserved before the VM was made: what it reserves once the VM left. */
    unreservedA: reservedBefore.get(a.hostId) as { cpu: number; mem: number; disk: number },
    holdsB: hostHolds(b),
    reservedA: (await api.host(a.hostId)).capacity.reserved,
    reservedB: (await api.host(b.hostId)).capacity.reserved,
  };
}

export type Moving = Awaited<ReturnType<typeof vmToMove>>;
