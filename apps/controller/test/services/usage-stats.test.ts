import type { Env, FleetStatus, Host, HostStats, UsageSummary, VmStats } from '@apiary/protocol';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';
import { createTwoTenants, type Tenant } from '../helpers/two-orgs.js';

/*
 * Usage through the controller: summaries from heartbeats (and polls of hosts added by
 * address) kept in the hosts table and shown in host views and /v1/status; the agent's history
 * proxied under /v1/hosts/{id}/stats and /v1/vms/{id}/stats, tenant-scoped; placement ties
 * going to the less busy host. Runs on both engines (APIARY_TEST_DB=postgres).
 */

const GiB = 1024 ** 3;

function summary(cpu: number, more: Partial<UsageSummary> = {}): UsageSummary {
  return {
    sampled_at: new Date().toISOString(),
    cpu_percent: cpu,
    mem_used_bytes: 10 * GiB,
    mem_total_bytes: 64 * GiB,
    net_rx_bytes_per_s: 1_000_000,
    net_tx_bytes_per_s: 500_000,
    ...more,
  };
}

async function storedUsage(h: Harness, hostId: string) {
  const { hosts } = h.core.ctx.t;
  const [row] = await h.core.ctx.db
    .select({ usage: hosts.usage })
    .from(hosts)
    .where(eq(hosts.id, hostId));
  return row?.usage ?? null;
}

describe('usage summaries from heartbeats', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('stores the summary a heartbeat carries and shows it in host views and /v1/status', async () => {
    h = await createHarness();
    const { agent, credential } = await h.addAgent({
      hostId: 'host_usage0000001',
      total: { cpu: 8, mem: 65536, disk: 400_000 },
    });
    const other = await h.addAgent({
      hostId: 'host_usage0000002',
      total: { cpu: 24, mem: 65536, disk: 400_000 },
    });
    const before = await json<Host>(await h.req('GET', '/v1/hosts/host_usage0000001'));
    expect(before.usage).toBeNull();
    expect((await json<FleetStatus>(await h.req('GET', '/v1/status'))).usage).toBeNull();

    const sent = summary(40);
    await h.heartbeat(agent, credential, false, sent);
    await h.heartbeat(other.agent, other.credential, false, summary(20, { mem_used_bytes: GiB }));
    // In the database (every controller sharing it sees it), not only in this one's memory.
    expect(await storedUsage(h, 'host_usage0000001')).toEqual(sent);
    const host = await json<Host>(await h.req('GET', '/v1/hosts/host_usage0000001'));
    expect(host.usage).toEqual(sent);
    const list = await json<{ items: Host[] }>(await h.req('GET', '/v1/hosts'));
    expect(list.items.find((x) => x.id === 'host_usage0000001')?.usage).toEqual(sent);

    const status = await json<FleetStatus>(await h.req('GET', '/v1/status'));
    expect(status.usage).toEqual({
      hosts: 2,
      // 40% of 8 CPUs and 20% of 24: 8 * 0.4 + 24 * 0.2 = 8 of 32 CPUs busy.
      cpu_percent: 25,
      mem_used_bytes: 11 * GiB,
      mem_total_bytes: 128 * GiB,
      net_rx_bytes_per_s: 2_000_000,
      net_tx_bytes_per_s: 1_000_000,
      oldest_sampled_at: sent.sampled_at,
    });
  });

  it('writes nothing for heartbeats without a summary, once per heartbeat with one', async () => {
    h = await createHarness();
    const { agent, credential } = await h.addAgent({ hostId: 'host_usage0000003' });
    await h.heartbeat(agent, credential, false);
    const before = h.database.writes();
    for (let i = 0; i < 10; i++) await h.heartbeat(agent, credential, false);
    expect(h.database.writes()).toBe(before);
    await h.heartbeat(agent, credential, false, summary(70));
    expect(h.database.writes()).toBe(before + 1);
    expect((await storedUsage(h, 'host_usage0000003'))?.cpu_percent).toBe(70);
  });

  it('keeps a down host out of the fleet usage but still shows its last summary', async () => {
    h = await createHarness({ manualClock: true });
    const { agent, credential } = await h.addAgent({ hostId: 'host_usage0000004' });
    await h.heartbeat(agent, credential, false, summary(55));
    h.core.ctx.liveness.markDown('host_usage0000004');
    const status = await json<FleetStatus>(await h.req('GET', '/v1/status'));
    expect(status.usage).toBeNull();
    const host = await json<Host>(await h.req('GET', '/v1/hosts/host_usage0000004'));
    expect(host.usage?.cpu_percent).toBe(55);
  });

  it('stores the summary polled from a host added by address only when it moved', async () => {
    h = await createHarness();
    const agent = new FakeAgent({ hostId: 'host_added0000009' });
    h.network.add('http://10.0.0.9:9100', agent);
    const res = await h.req('POST', '/v1/hosts', {
      addr: 'http://10.0.0.9:9100',
      api_key: agent.key,
    });
    expect(res.status).toBe(201);
    await h.core.poll();
    expect(await storedUsage(h, 'host_added0000009')).toBeNull();
    agent.usage = summary(30);
    await h.core.poll();
    expect(await storedUsage(h, 'host_added0000009')).toEqual(agent.usage);
    // A newer sample that moved less than the thresholds is not news: nothing is written.
    const first = agent.usage;
    agent.usage = summary(31, { sampled_at: new Date(Date.now() + 10_000).toISOString() });
    const before = h.database.writes();
    await h.core.poll();
    expect(h.database.writes()).toBe(before);
    expect(await storedUsage(h, 'host_added0000009')).toEqual(first);
    agent.usage = summary(60, { sampled_at: new Date(Date.now() + 20_000).toISOString() });
    await h.core.poll();
    expect((await storedUsage(h, 'host_added0000009'))?.cpu_percent).toBe(60);
  });

  it('places on the less busy of two hosts that tie on score', async () => {
    // The busy host registered first, then second (and first, then second by id): whatever
    // order the hosts are read in, only the tie-break picks the idle one both times.
    for (const busyFirst of [true, false]) {
      h = await createHarness();
      const a = await h.addAgent({ hostId: 'host_tie00000001' });
      const b = await h.addAgent({ hostId: 'host_tie00000002' });
      const [busy, idle] = busyFirst ? [a, b] : [b, a];
      await h.heartbeat(busy.agent, busy.credential, false, summary(90));
      await h.heartbeat(idle.agent, idle.credential, false, summary(5));
      await uploadImage(h, 'alpine-cloud');
      const res = await h.req('POST', '/v1/envs', {
        id: 'tie',
        ssh_keys: [sshKey()],
        vms: [{ image: 'alpine-cloud', cpu: 1, mem: 512, disk: 2048 }],
      });
      expect(res.status).toBe(202);
      const env = await json<Env>(res);
      expect(env.vms[0]?.host_id).toBe(idle.agent.hostId);
      await h.idle();
      await h.close();
    }
  });
});

describe('stats proxied from agents, tenant-scoped', () => {
  let h: Harness;
  let alpha: Tenant;
  let bravo: Tenant;

  beforeAll(async () => {
    h = await createHarness({ config: { agentTimeoutMs: 1000 } });
    ({ alpha, bravo } = await createTwoTenants(h));
  });
  afterAll(async () => h?.close());

  /** The internal id (zone name on its agent) of a tenant's VM. */
  async function zoneOf(t: Tenant, name: string): Promise<string> {
    const { vms } = h.core.ctx.t;
    const [row] = await h.core.ctx.db
      .select({ id: vms.id })
      .from(vms)
      .where(and(eq(vms.name, name), eq(vms.orgId, t.orgId)));
    if (!row) throw new Error(`no VM ${name} in ${t.tag}`);
    return row.id;
  }

  it("passes a host's history through, with the query, and VM links under their names", async () => {
    alpha.agent.usage = summary(42);
    const res = await h.req(
      'GET',
      `/v1/hosts/${alpha.hostId}/stats?since=10m&step=1m`,
      undefined,
      alpha.admin,
    );
    expect(res.status).toBe(200);
    const stats = await json<HostStats>(res);
    expect(stats.usage?.cpu_percent).toBe(42);
    expect(stats.history.host.cpu_busy).toEqual([0.42, 0.42]);
    expect(alpha.agent.statsQueries.at(-1)).toEqual({ since: '10m', step: '1m' });
    const vmLinks = stats.now?.links ?? [];
    expect(vmLinks.map((l) => l.vm_id).sort()).toEqual(['alpha-only-0', 'shared-0']);
    expect(vmLinks.map((l) => l.zone).sort()).toEqual(['alpha-only-0', 'shared-0']);
    const text = JSON.stringify(stats);
    for (const id of alpha.internalIds) expect(text).not.toContain(id);
  });

  it("passes a VM's history through under its name", async () => {
    const zone = await zoneOf(alpha, 'shared-0');
    alpha.agent.vmCpu.set(zone, 0.75);
    const res = await h.req('GET', '/v1/vms/shared-0/stats?since=5m', undefined, alpha.member);
    expect(res.status).toBe(200);
    const stats = await json<VmStats>(res);
    expect(stats.vm_id).toBe('shared-0');
    expect(stats.now).toMatchObject({ vm_id: 'shared-0', cpu: { used: 0.75 } });
    expect(stats.now?.net.links[0]).toMatchObject({ vm_id: 'shared-0', zone: 'shared-0' });
    expect(stats.history.vm.cpu_used).toEqual([0.75, 0.75]);
    expect(JSON.stringify(stats)).not.toContain(zone);
    // The same name in the other organization is that organization's VM.
    const theirs = await json<VmStats>(
      await h.req('GET', '/v1/vms/shared-0/stats', undefined, bravo.member),
    );
    expect(theirs.vm_id).toBe('shared-0');
    expect(bravo.agent.statsQueries.length).toBeGreaterThan(0);
  });

  it("answers another organization's host and VM with the same 404 as a missing one", async () => {
    const calls = alpha.agent.calls.length;
    for (const [path, missing] of [
      [`/v1/hosts/${alpha.hostId}/stats`, '/v1/hosts/host_nothere00000001/stats'],
      ['/v1/vms/alpha-only-0/stats', '/v1/vms/nothere-0/stats'],
    ] as const) {
      const res = await h.req('GET', path, undefined, bravo.admin);
      const gone = await h.req('GET', missing, undefined, bravo.admin);
      expect([res.status, gone.status]).toEqual([404, 404]);
      const body = await json(res);
      const goneBody = await json(gone);
      expect(body.code).toBe(goneBody.code);
      expect(String(body.msg).replace(alpha.hostId, 'X').replace('alpha-only-0', 'X')).toBe(
        String(goneBody.msg).replace('host_nothere00000001', 'X').replace('nothere-0', 'X'),
      );
      const text = JSON.stringify(body);
      for (const secret of alpha.secrets.filter((s) => !path.includes(s))) {
        expect(text).not.toContain(secret);
      }
    }
    // Refused before the agent was asked anything.
    expect(alpha.agent.calls.length).toBe(calls);
  });

  it('answers 400 to a bad since or step without asking the agent', async () => {
    const calls = alpha.agent.calls.length;
    const res = await h.req('GET', '/v1/vms/shared-0/stats?since=soon', undefined, alpha.member);
    expect(res.status).toBe(400);
    expect(alpha.agent.calls.length).toBe(calls);
  });

  it('answers 503 with the reason, promptly, when the host does not answer', async () => {
    alpha.agent.down = true;
    try {
      const refused = await h.req('GET', '/v1/vms/shared-0/stats', undefined, alpha.member);
      expect(refused.status).toBe(503);
      expect((await json(refused)).msg).toMatch(/host alpha-hv does not answer: .*ECONNREFUSED/);
    } finally {
      alpha.agent.down = false;
    }
    alpha.agent.hang = true;
    try {
      const started = Date.now();
      const hung = await h.req('GET', `/v1/hosts/${alpha.hostId}/stats`, undefined, alpha.admin);
      expect(hung.status).toBe(503);
      expect((await json(hung)).msg).toBe('host alpha-hv did not answer within 1s');
      // One attempt with the controller's agent timeout (1 s here), no retries behind it.
      expect(Date.now() - started).toBeLessThan(2900);
    } finally {
      alpha.agent.hang = false;
    }
  });

  it('answers 503 at once for a host that is down, 409 for a VM its host does not have, 502 for an agent without stats', async () => {
    const zone = await zoneOf(alpha, 'alpha-only-0');
    alpha.agent.lieGone.add(zone);
    try {
      const res = await h.req('GET', '/v1/vms/alpha-only-0/stats', undefined, alpha.member);
      expect(res.status).toBe(409);
      expect((await json(res)).msg).toMatch(
        /host alpha-hv has no usage figures for VM alpha-only-0 \(not created there yet, or gone\)/,
      );
    } finally {
      alpha.agent.lieGone.delete(zone);
    }
    alpha.agent.hasStats = false;
    try {
      const res = await h.req('GET', `/v1/hosts/${alpha.hostId}/stats`, undefined, alpha.admin);
      expect(res.status).toBe(502);
      expect((await json(res)).msg).toBe(
        'host alpha-hv has no usage statistics (its agent is older than them)',
      );
    } finally {
      alpha.agent.hasStats = true;
    }
    h.core.ctx.liveness.markDown(alpha.hostId);
    const calls = alpha.agent.calls.length;
    const res = await h.req('GET', '/v1/vms/shared-0/stats', undefined, alpha.member);
    expect(res.status).toBe(503);
    expect((await json(res)).msg).toBe('host alpha-hv is down (no recent heartbeat)');
    expect(alpha.agent.calls.length).toBe(calls);
  });
});
