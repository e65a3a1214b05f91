import type { Env, FleetStatus, Host } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createControllerCore } from '../../src/core.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';
import { defaultOrg, hostRow } from '../helpers/placement-fixtures.js';

let h: Harness;
afterEach(async () => h?.close());

describe('host liveness', () => {
  it('marks a silent host suspect then down, shows its VMs unknown, deletes nothing, and recovers', async () => {
    h = await createHarness({ manualClock: true });
    const { agent, credential } = await h.addAgent({ hostId: 'host_live00000001' });
    await uploadImage(h, 'img');
    await h.req('POST', '/v1/envs', { id: 'web', ssh_keys: [sshKey()], vms: [{ image: 'img' }] });
    await h.idle();
    const getHost = async () => json<Host>(await h.req('GET', '/v1/hosts/host_live00000001'));

    h.clock?.advance(3000);
    await h.core.sweep();
    expect((await getHost()).liveness).toBe('suspect');
    expect((await json<Env>(await h.req('GET', '/v1/envs/web'))).vms[0]?.state).toBe('running');

    h.clock?.advance(6000);
    await h.core.sweep();
    expect((await getHost()).liveness).toBe('down');
    const env = await json<Env>(await h.req('GET', '/v1/envs/web'));
    expect(env.state).toBe('active');
    expect(env.vms[0]?.state).toBe('unknown');
    const status = await json<FleetStatus>(await h.req('GET', '/v1/status'));
    expect(status.hosts).toMatchObject({ total: 1, down: 1 });
    expect(status.vms.by_state).toEqual({ unknown: 1 });
    // Nothing was deleted or rescheduled behind the operator's back.
    expect(agent.calls.filter((c) => c.method === 'DELETE')).toEqual([]);
    expect((await getHost()).capacity.reserved.cpu).toBe(2);
    // The reaper does not touch it either.
    await h.core.reap();
    await h.idle();
    expect(agent.liveVms()).toHaveLength(1);

    await h.heartbeat(agent, credential);
    expect((await getHost()).liveness).toBe('ready');
    expect((await json<Env>(await h.req('GET', '/v1/envs/web'))).vms[0]?.state).toBe('running');
    const metrics = await (await h.core.app.request('/metrics')).text();
    expect(metrics).toContain('apiary_host_liveness_transitions_total{to="down"} 1');
    expect(metrics).toContain('apiary_hosts{liveness="ready"} 1');
  });

  it('writes a mass outage a chunk of hosts per transaction: each one marked, announced and audited', async () => {
    h = await createHarness({ manualClock: true });
    const { ctx } = h.core;
    const orgId = await defaultOrg(ctx);
    const now = ctx.clock.now();
    const ids = Array.from({ length: 450 }, (_, i) => `host_outage${String(i).padStart(5, '0')}`);
    for (let i = 0; i < ids.length; i += 50) {
      await ctx.db
        .insert(ctx.t.hosts)
        .values(ids.slice(i, i + 50).map((id) => hostRow(orgId, id, now)));
    }
    ctx.liveness.load(await ctx.db.select().from(ctx.t.hosts));
    let transactions = 0;
    const transaction = ctx.db.transaction.bind(ctx.db);
    ctx.db.transaction = ((...args: Parameters<typeof transaction>) => {
      transactions++;
      return transaction(...args);
    }) as typeof ctx.db.transaction;
    const announced = new Set<string>();
    const publish = ctx.events.publish.bind(ctx.events);
    ctx.events.publish = ((event: Parameters<typeof publish>[0]) => {
      if (event.type === 'host.liveness') announced.add((event.data as { id: string }).id);
      return publish(event);
    }) as typeof publish;

    // The silence that makes a host suspect grows with the fleet (the heartbeat interval does).
    h.clock?.advance(ctx.liveness.suspectAfterMs());
    await h.core.sweep();

    // 450 hosts in chunks of 200: three transactions, not one commit per host.
    expect(transactions).toBe(3);
    const rows = await ctx.db.select().from(ctx.t.hosts);
    expect(
      rows
        .filter((r) => r.liveness === 'suspect')
        .map((r) => r.id)
        .sort(),
    ).toEqual(ids);
    expect([...announced].sort()).toEqual(ids);
    const audits = await ctx.db.select().from(ctx.t.auditEvents);
    const suspect = audits.filter((a) => a.action === 'liveness.suspect');
    expect(suspect.map((a) => a.resourceId).sort()).toEqual(ids);
    expect(new Set(suspect.map((a) => a.id)).size).toBe(ids.length);
  });

  it('counts silence from the end of the grace period after a restart', async () => {
    h = await createHarness({ manualClock: true, config: { restartGraceMs: 30_000 } });
    await h.addAgent({ hostId: 'host_live00000004' });
    const restarted = await createControllerCore({
      config: h.core.ctx.config,
      database: h.database,
      clock: h.clock,
      log: h.core.ctx.log,
    });
    h.clock?.advance(30_000 + 2999);
    await restarted.sweep();
    expect(restarted.ctx.liveness.state('host_live00000004')).toBe('ready');
    h.clock?.advance(1);
    await restarted.sweep();
    expect(restarted.ctx.liveness.state('host_live00000004')).toBe('suspect');
    await restarted.stop();
  });

  it('does not place on a host that is not ready', async () => {
    h = await createHarness({ manualClock: true });
    await h.addAgent({ hostId: 'host_live00000002' });
    await uploadImage(h, 'img');
    h.clock?.advance(3000);
    await h.core.sweep();
    const res = await h.req('POST', '/v1/envs', {
      id: 'x',
      ssh_keys: [sshKey()],
      vms: [{ image: 'img' }],
    });
    expect(res.status).toBe(409);
    expect(JSON.stringify(await json(res))).toContain('host is suspect');
  });

  it('marks nothing down because the controller restarted', async () => {
    h = await createHarness({ manualClock: true, config: { restartGraceMs: 30_000 } });
    const { agent, credential } = await h.addAgent({ hostId: 'host_live00000003' });
    await h.core.stop();
    const restarted = await createControllerCore({
      config: h.core.ctx.config,
      database: h.database,
      clock: h.clock,
      fetch: h.network.fetch,
      log: h.core.ctx.log,
    });
    // The restart took a while: longer than the down threshold.
    h.clock?.advance(20_000);
    await restarted.sweep();
    const host = async () =>
      await json<Host>(
        await restarted.app.request('/v1/hosts/host_live00000003', {
          headers: { authorization: `Bearer ${h.adminKey}` },
        }),
      );
    expect((await host()).liveness).toBe('ready');
    // Heartbeats resume with the same credential: nothing to re-register.
    const res = await restarted.app.request('/v1/internal/hosts/host_live00000003/heartbeat', {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({ generation: agent.generation }),
    });
    expect(res.status).toBe(200);
    expect((await json(res)).ack_generation).toBe(agent.generation);
    // Once heard from again, silence counts as usual.
    h.clock?.advance(3000);
    await restarted.sweep();
    expect((await host()).liveness).toBe('suspect');
    await restarted.stop();
  });
});
