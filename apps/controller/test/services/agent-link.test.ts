import { API_VERSION } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

/** Statements that changed data since the database was opened. */
function dbChanges(h: Harness): number {
  return h.database.writes();
}

describe('agent registration and heartbeats', () => {
  it('registers a host with capacity from its inventory and issues a credential', async () => {
    h = await createHarness();
    const { credential } = await h.addAgent({
      hostId: 'host_reg000000001',
      hostname: 'hv1',
      total: { cpu: 16, mem: 65536, disk: 1_000_000 },
    });
    expect(credential).toMatch(/^aph_/);
    const host = await json<Record<string, unknown>>(
      await h.req('GET', '/v1/hosts/host_reg000000001'),
    );
    expect(host).toMatchObject({
      hostname: 'hv1',
      source: 'registered',
      liveness: 'ready',
      policy: 'eligible',
      capacity: {
        total: { cpu: 16, mem: 65536, disk: 1_000_000 },
        reserved: { cpu: 0, mem: 0, disk: 0 },
        free: { cpu: 16 },
      },
    });
    const { hosts } = h.core.ctx.t;
    const [stored] = await h.core.ctx.db
      .select({ agent_key_enc: hosts.agentKeyEnc, credential_hash: hosts.credentialHash })
      .from(hosts);
    expect(stored?.agent_key_enc).toMatch(/^v1:/);
    expect(stored?.agent_key_enc).not.toContain('wh_');
    expect(stored?.credential_hash).not.toBe(credential);
  });

  it('writes nothing to the database for a heartbeat with nothing new', async () => {
    h = await createHarness();
    const { agent, credential } = await h.addAgent({ hostId: 'host_quiet0000001' });
    await h.heartbeat(agent, credential, false);
    const before = dbChanges(h);
    for (let i = 0; i < 20; i++) {
      const resp = await h.heartbeat(agent, credential, false);
      expect(resp.ack_generation).toBe(agent.generation);
      expect(resp.next_heartbeat_ms).toBeGreaterThanOrEqual(800);
      expect(resp.next_heartbeat_ms).toBeLessThanOrEqual(1000);
    }
    expect(dbChanges(h)).toBe(before);
    agent.generation += 1;
    const resp = await h.heartbeat(agent, credential, true);
    expect(resp.ack_generation).toBe(agent.generation);
    expect(dbChanges(h)).toBeGreaterThan(before);
  });

  it('answers 401 to a wrong credential and 404 to an unknown host', async () => {
    h = await createHarness();
    const { agent } = await h.addAgent({ hostId: 'host_cred00000001' });
    await expect(h.heartbeat(agent, 'aph_wrongwrongwrongwrongwrongwrongwrongwron')).rejects.toThrow(
      /401/,
    );
    const res = await h.req(
      'POST',
      '/v1/internal/hosts/host_ghost0000001/heartbeat',
      { generation: 0 },
      'aph_x',
    );
    expect(res.status).toBe(404);
    expect((await json(res)).msg).toMatch(/register again/);
  });

  it('keeps one record and the same credential when a host registers again with it', async () => {
    h = await createHarness();
    const first = await h.addAgent({ hostId: 'host_again0000001' });
    const second = await h.addAgent({
      hostId: 'host_again0000001',
      addr: 'http://moved.test:9100',
      hostCredential: first.credential,
    });
    // The proven credential is kept: an answer lost in transit cannot lock the host out.
    expect(second.credential).toBe(first.credential);
    const list = await json<{ total: number; items: Array<{ addr: string }> }>(
      await h.req('GET', '/v1/hosts'),
    );
    expect(list.total).toBe(1);
    expect(list.items[0]?.addr).toBe('http://moved.test:9100');
    await h.heartbeat(second.agent, second.credential);
  });

  it('refuses agents of another major API version', async () => {
    h = await createHarness();
    const res = await h.req(
      'POST',
      '/v1/internal/hosts/register',
      {
        host_id: 'host_old000000001',
        hostname: 'old',
        addr: 'http://old.test:9100',
        agent_version: '9.0.0',
        api_version: '2.0',
        engines: ['bhyve'],
        storage: 'zfs',
        agent_api_key: `wh_${'a'.repeat(32)}`,
        inventory: {
          generation: 0,
          resources: { total: { cpu: 1, mem: 1024, disk: 1 }, used: { cpu: 0, mem: 0, disk: 0 } },
          images: [],
          vms: [],
        },
      },
      h.licenseKey,
    );
    expect(res.status).toBe(412);
    expect((await json(res)).msg).toContain(API_VERSION);
  });

  it('takes VM states from heartbeats, ignoring reports older than what it holds', async () => {
    h = await createHarness();
    const { agent, credential } = await h.addAgent({ hostId: 'host_inv000000001' });
    await uploadImage(h, 'img');
    await h.req('POST', '/v1/envs', { id: 'inv', ssh_keys: [sshKey()], vms: [{ image: 'img' }] });
    await h.idle();
    const vm = agent.vms.get(await h.zoneOf('inv-0'));
    expect(vm?.state).toBe('running');
    if (!vm) return;
    // The guest shuts itself down; the agent reports it.
    vm.state = 'stopped';
    vm.generation += 1;
    agent.generation += 1;
    await h.heartbeat(agent, credential);
    expect((await json(await h.req('GET', '/v1/vms/inv-0'))).state).toBe('stopped');
    // A stale report (older generation) changes nothing.
    const stale = agent.inventory();
    stale.generation += 1;
    (stale.vms[0] as { state: string; generation: number }).state = 'running';
    (stale.vms[0] as { generation: number }).generation = 1;
    await h.core.app.request('/v1/internal/hosts/host_inv000000001/heartbeat', {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({ generation: stale.generation, inventory: stale }),
    });
    expect((await json(await h.req('GET', '/v1/vms/inv-0'))).state).toBe('stopped');
  });

  it('counts what the host uses for VMs it did not place as reserved capacity', async () => {
    h = await createHarness();
    const { agent, credential } = await h.addAgent({
      hostId: 'host_foreign00001',
      total: { cpu: 8, mem: 16384, disk: 400_000 },
    });
    agent.vms.set('manual-0', {
      ...(agent.inventory().vms[0] ?? {}),
      id: 'manual-0',
      env_id: 'manual',
      state: 'running',
      error: null,
      image: 'x',
      image_digest: null,
      cpu: 6,
      mem: 4096,
      disk: 10_000,
      ports: [22],
      deny_outgoing: false,
      ip: null,
      port_map: {},
      generation: 1,
      operation_id: null,
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    });
    agent.generation += 1;
    await h.heartbeat(agent, credential);
    const host = await json<{ capacity: { reserved: { cpu: number }; free: { cpu: number } } }>(
      await h.req('GET', '/v1/hosts/host_foreign00001'),
    );
    expect(host.capacity.reserved.cpu).toBe(6);
    expect(host.capacity.free.cpu).toBe(2);
    await uploadImage(h, 'img');
    const refused = await h.req('POST', '/v1/envs', {
      id: 'toobig',
      ssh_keys: [sshKey()],
      vms: [{ image: 'img', cpu: 4 }],
    });
    expect(refused.status).toBe(409);
  });

  it('marks a host down at once when its agent deregisters', async () => {
    h = await createHarness();
    const { credential } = await h.addAgent({ hostId: 'host_bye000000001' });
    const res = await h.req(
      'POST',
      '/v1/internal/hosts/host_bye000000001/deregister',
      { reason: 'shutdown' },
      credential,
    );
    expect(res.status).toBe(200);
    expect((await json(await h.req('GET', '/v1/hosts/host_bye000000001'))).liveness).toBe('down');
  });
});
