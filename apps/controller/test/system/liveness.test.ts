import type { AuditEvent, Env, FleetStatus, Host } from '@apiary/protocol';
import type { AgentDaemon, ControllerDaemon } from '@apiary/testkit';
import { sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { footprint } from './footprint.js';

let c: ControllerDaemon;
let agents: AgentDaemon[];

const LIVENESS_IN_SECONDS = [
  ...['--heartbeat-interval-ms', '500', '--heartbeat-ttl-ms', '4000'],
  ...['--down-after-ms', '8000', '--restart-grace-ms', '15000'],
];
fleetForFile({ agents: 2, controllerArgs: LIVENESS_IN_SECONDS }, async (fleet) => {
  ({ controller: c, agents } = fleet);
  await uploadSampleImage(c.admin, 'alpine-cloud');
});

const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;
const host = (id: string) => json<Host>(c.call('GET', `/v1/hosts/${id}`));

/** How many times each host registered, from the controller's audit trail. */
async function registrationsPerHost(): Promise<Map<string, number>> {
  const trail = await json<{ items: AuditEvent[] }>(
    c.call('GET', '/v1/audit?resource=host&limit=500'),
  );
  const counts = new Map(agents.map((a) => [a.hostId, 0]));
  for (const e of trail.items) {
    if (e.action !== 'registerHost' || e.outcome !== 'succeeded' || !e.resource.id) continue;
    counts.set(e.resource.id, (counts.get(e.resource.id) ?? 0) + 1);
  }
  return counts;
}

describe('liveness with real agents', () => {
  it('shows a killed agent suspect then down, keeps its VMs as unknown, and takes it back on restart', async () => {
    await c.call('POST', '/v1/envs', {
      id: 'kept',
      ssh_keys: [sshKey()],
      vms: [{ image: 'alpine-cloud', cpu: 1, mem: 1024, disk: 10240 }],
    });
    const env = await waitFor(
      async () => {
        const e = await json<Env>(c.call('GET', '/v1/envs/kept'));
        return e.state === 'active' ? e : undefined;
      },
      { what: 'kept active', timeoutMs: 120_000, intervalMs: 250 },
    );
    const victim = agents.find((a) => a.hostId === env.vms[0]?.host_id) as AgentDaemon;
    const zonesBefore = footprint(victim.host());

    await victim.kill();
    await waitFor(async () => (await host(victim.hostId)).liveness === 'suspect', {
      what: 'host suspect',
      timeoutMs: 40_000,
    });
    await waitFor(async () => (await host(victim.hostId)).liveness === 'down', {
      what: 'host down',
      timeoutMs: 40_000,
    });
    const seen = await json<Env>(c.call('GET', '/v1/envs/kept'));
    expect(seen.vms[0]?.state).toBe('unknown');
    expect(seen.state).toBe('active');
    const status = await json<FleetStatus>(c.call('GET', '/v1/status'));
    expect(status.hosts).toMatchObject({ total: 2, ready: 1, down: 1 });
    // Nothing deleted or rescheduled: the zone is still on the host, the VM still on its host.
    expect(footprint(victim.host())).toEqual(zonesBefore);
    expect(seen.vms[0]?.host_id).toBe(victim.hostId);

    await victim.restart();
    await waitFor(async () => (await host(victim.hostId)).liveness === 'ready', {
      what: 'host ready again',
      timeoutMs: 30_000,
    });
    const back = await waitFor(
      async () => {
        const e = await json<Env>(c.call('GET', '/v1/envs/kept'));
        return e.vms[0]?.state === 'running' ? e : undefined;
      },
      { what: 'VM observed again', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(back.vms.map((v) => v.id)).toEqual(['kept-0']);
    expect(footprint(victim.host())).toEqual(zonesBefore);
    const hosts = await json<{ total: number }>(c.call('GET', '/v1/hosts'));
    expect(hosts.total).toBe(2);
  }, 300_000);

  it('marks nothing down because the controller restarted', async () => {
    // Counted by the controller (its audit trail), not from the agents' log lines: a log line
    // reaches the test's copy of the output some time after the registration itself.
    const before = await registrationsPerHost();
    expect([...before.values()].every((n) => n >= 1)).toBe(true);
    await c.restart();
    // Hosts are ready at once and stay ready: heartbeats resume with the same credentials.
    for (let i = 0; i < 10; i++) {
      const list = await json<{ items: Host[] }>(c.call('GET', '/v1/hosts'));
      expect(list.items.map((h) => h.liveness)).toEqual(['ready', 'ready']);
      await new Promise((r) => setTimeout(r, 500));
    }
    const seen = await json<Env>(c.call('GET', '/v1/envs/kept'));
    expect(seen.vms[0]?.state).toBe('running');
    // The agents did not have to register again.
    expect(await registrationsPerHost()).toEqual(before);
    await c.call('DELETE', '/v1/envs/kept');
    await waitFor(
      async () => (await json<Env>(c.call('GET', '/v1/envs/kept'))).state === 'deleted',
      { what: 'kept deleted', timeoutMs: 120_000, intervalMs: 250 },
    );
  }, 300_000);
});
