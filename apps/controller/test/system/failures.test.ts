import { addFault, clearFaults } from '@apiary/illumos-sim';
import type { Env, Host } from '@apiary/protocol';
import type { AgentDaemon, ControllerDaemon } from '@apiary/testkit';
import { sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { EMPTY_FOOTPRINT, footprint } from './footprint.js';

let c: ControllerDaemon;
let agents: AgentDaemon[];

/** Three small hosts: 4 CPUs and 8 GiB each, room for two 2-CPU VMs apiece. */
fleetForFile(
  {
    agents: 3,
    controllerArgs: ['--heartbeat-interval-ms', '1000', '--create-parallelism', '4'],
    host: () => ({ cpus: 4, ram: '8G' }),
  },
  async (fleet) => {
    ({ controller: c, agents } = fleet);
    await uploadSampleImage(c.admin, 'alpine-cloud');
  },
);

const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;
const vm = { image: 'alpine-cloud', cpu: 2, mem: 1024, disk: 10240 };

async function settled(id: string): Promise<Env> {
  return waitFor(
    async () => {
      const e = await json<Env>(c.call('GET', `/v1/envs/${id}`));
      return ['active', 'failed', 'degraded', 'deleted'].includes(e.state) ? e : undefined;
    },
    { what: `${id} to settle`, timeoutMs: 180_000, intervalMs: 300 },
  );
}

describe('failures on real agents', () => {
  it('rolls the whole environment back on every host when one agent fails mid-create', async () => {
    const victim = agents[1] as AgentDaemon;
    // Every boot on the second host fails (more than any retry the agent makes).
    await addFault(victim.simDir, {
      match: 'zoneadm * boot',
      count: 100,
      exit_code: 1,
      stderr: 'zoneadm: zone boot failed (injected)\n',
    });
    try {
      const res = await c.call('POST', '/v1/envs', {
        id: 'doomed',
        ssh_keys: [sshKey()],
        vms: [vm, vm, vm],
      });
      expect(res.status).toBe(202);
      const placed = await json<Env>(res);
      expect(new Set(placed.vms.map((v) => v.host_id)).size).toBe(3);
      const env = await settled('doomed');
      expect(env.state).toBe('failed');
      expect(env.error?.msg).toContain(victim.hostId);
      expect(env.vms.every((v) => v.state === 'deleted')).toBe(true);
    } finally {
      await clearFaults(victim.simDir);
    }
    for (const a of agents) expect(footprint(a.host())).toEqual(EMPTY_FOOTPRINT);
    const hosts = await json<{ items: Host[] }>(c.call('GET', '/v1/hosts'));
    for (const h of hosts.items) expect(h.capacity.reserved).toEqual({ cpu: 0, mem: 0, disk: 0 });
    // A failed environment is kept for its error until someone deletes it.
    await c.call('DELETE', '/v1/envs/doomed');
    expect((await settled('doomed')).state).toBe('deleted');
  }, 300_000);

  it('never overcommits a host when 20 creates race for room for 6 VMs, and the losers leave nothing', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        c.call('POST', '/v1/envs', { id: `race-${i}`, ssh_keys: [sshKey()], vms: [vm] }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(6);
    expect(statuses.filter((s) => s === 409)).toHaveLength(14);
    const refusal = await json<{
      code: string;
      msg: string;
      details: { hosts: Array<{ reasons: string[] }> };
    }>(results[statuses.indexOf(409)] as Response);
    expect(refusal.code).toBe('insufficient_capacity');
    expect(refusal.details.hosts).toHaveLength(3);
    for (const h of refusal.details.hosts)
      expect(h.reasons.join(' ')).toMatch(/not enough cpu: needs 2 vCPUs, 0 free/);

    const winners = results
      .map((r, i) => (r.status === 202 ? `race-${i}` : null))
      .filter((x): x is string => x !== null);
    const envs = await Promise.all(winners.map(settled));
    expect(envs.map((e) => e.state)).toEqual(winners.map(() => 'active'));
    for (const a of agents) {
      // The host itself: two zones of 2 vCPUs on 4 CPUs.
      const zones = a.host().zones.filter((z) => z.name !== 'global');
      expect(zones.length).toBe(2);
    }
    const hosts = await json<{ items: Host[] }>(c.call('GET', '/v1/hosts'));
    for (const h of hosts.items) {
      expect(h.capacity.reserved.cpu).toBe(4);
      expect(h.capacity.free.cpu).toBe(0);
    }
    // Losers: no environment, no VM anywhere.
    const list = await json<{ total: number }>(c.call('GET', '/v1/envs'));
    expect(list.total).toBe(6);

    await Promise.all(winners.map((id) => c.call('DELETE', `/v1/envs/${id}`)));
    await Promise.all(
      winners.map((id) =>
        waitFor(
          async () => (await json<Env>(c.call('GET', `/v1/envs/${id}`))).state === 'deleted',
          { what: `${id} deleted`, timeoutMs: 180_000, intervalMs: 300 },
        ),
      ),
    );
    for (const a of agents) expect(footprint(a.host())).toEqual(EMPTY_FOOTPRINT);
  }, 400_000);
});
