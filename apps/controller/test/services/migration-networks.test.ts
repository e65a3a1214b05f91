import { afterEach, describe, expect, it } from 'vitest';
import type { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/*
 * A VM on networks besides nat (issue 14 meets issue 15): the agents' move and clone make the
 * primary NIC only, so moving or cloning it would cut it off the others. Both are refused,
 * naming the networks, and nothing is accepted.
 */
let h: Harness;
afterEach(async () => h?.close());

const SOURCE = 'host_mignet000001';
const OTHER = 'host_mignet000002';

async function labOn(agent: FakeAgent) {
  const res = await agent.app.request('/api/networks', {
    method: 'POST',
    headers: { authorization: `Bearer ${agent.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'lab', kind: 'private', subnet: '172.16.9.0/24' }),
  });
  expect(res.status).toBe(201);
}

describe('the migration target and networks', () => {
  it('refuses to move or clone a VM on another network, naming it', async () => {
    h = await createHarness();
    const { agent: source, credential } = await h.addAgent({ hostId: SOURCE });
    await labOn(source);
    source.generation += 1; // a new inventory: the controller reads it
    await h.heartbeat(source, credential);
    await uploadImage(h, 'img');
    const made = await h.req('POST', '/v1/envs', {
      id: 'lab',
      ssh_keys: [sshKey()],
      vms: [{ image: 'img', networks: ['nat', 'lab'] }],
    });
    expect(made.status, await made.clone().text()).toBe(202);
    await h.idle();
    await h.addAgent({ hostId: OTHER });

    for (const body of [{}, { to: OTHER }]) {
      const refused = await h.req('POST', '/v1/vms/lab-0/migrate', body);
      expect(refused.status).toBe(409);
      expect((await json(refused)).msg).toBe(
        'VM lab-0 is on lab: a move carries its nat NIC only, so it cannot move yet',
      );
    }
    const snap = await h.req('POST', '/v1/vms/lab-0/snapshots', { name: 's1' });
    expect(snap.status, await snap.clone().text()).toBe(202);
    await h.idle();
    const clone = await h.req('POST', '/v1/vms/lab-0/snapshots/s1/clone', {});
    expect(clone.status).toBe(409);
    expect((await json(clone)).msg).toBe(
      'a clone joins the nat network only, and this one would need lab: not supported yet',
    );
    // Nothing was accepted: the VM takes other changes at once, and is still on its host.
    const vm = await json<{ host_id: string; state: string }>(await h.req('GET', '/v1/vms/lab-0'));
    expect(vm).toMatchObject({ host_id: SOURCE, state: 'running' });
  });
});
