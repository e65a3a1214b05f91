import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/*
 * Placement across controllers: the reservation is a conditional write that re-checks free
 * capacity in the database, so creates arriving at two controllers of one database at once
 * never overcommit a host, and each refusal still says, per host, why.
 */

let h: Harness;
let other: { stop(): Promise<void> } | undefined;
afterEach(async () => {
  await other?.stop();
  other = undefined;
  await h?.close();
});

type Refusal = { code: string; details: { hosts: Array<{ host_id: string; reasons: string[] }> } };

describe('placement with two controllers on one database', () => {
  it('never overcommits when 40 creates split between them race for scarce capacity', async () => {
    h = await createHarness();
    const agents = [];
    for (let i = 1; i <= 3; i++) {
      const total = { cpu: 4, mem: 8192, disk: 200_000 };
      agents.push((await h.addAgent({ hostId: `host_twoctl0000000${i}`, total })).agent);
    }
    await uploadImage(h, 'alpine-cloud');
    const second = await h.anotherController();
    other = second;
    const create = (i: number) => {
      const body = JSON.stringify({
        id: `race-${i}`,
        ssh_keys: [sshKey()],
        vms: [{ image: 'alpine-cloud', cpu: 2, mem: 2048, disk: 20_000 }],
      });
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${h.adminKey}` };
      const app = i % 2 === 0 ? h.core.app : second.app;
      return app.request('/v1/envs', { method: 'POST', headers, body });
    };
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => create(i)));
    const statuses = results.map((r) => r.status);
    // 3 hosts x 4 vCPUs hold six 2-vCPU VMs: six creates win, whichever controller took them.
    expect(statuses.filter((s) => s === 202)).toHaveLength(6);
    expect(statuses.filter((s) => s === 409)).toHaveLength(34);
    for (const res of results.filter((r) => r.status === 409)) {
      const refusal = await json<Refusal>(res);
      expect(refusal.code).toBe('insufficient_capacity');
      expect(refusal.details.hosts.map((x) => x.host_id).sort()).toEqual([
        'host_twoctl00000001',
        'host_twoctl00000002',
        'host_twoctl00000003',
      ]);
      for (const host of refusal.details.hosts) {
        expect(host.reasons.join('; ')).toMatch(/not enough cpu: needs 2 vCPUs, 0 free/);
      }
    }
    await h.idle();
    await second.ctx.work.idle();
    for (const a of agents) {
      expect(a.peakUsed.cpu).toBeLessThanOrEqual(4);
      expect(a.liveVms()).toHaveLength(2);
    }
    const envs = await json<{ total: number }>(await h.req('GET', '/v1/envs'));
    expect(envs.total).toBe(6);
  });
});
