import { afterEach, describe, expect, it } from 'vitest';
import type { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/*
 * A VM moves only to a host that has every network it joins (issue 14 meets issue 15): the
 * target's refusal names the host and the network, as placement's does.
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
  it('refuses every host without one of the VM’s networks, naming the host and the network', async () => {
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

    const anywhere = await h.req('POST', '/v1/vms/lab-0/migrate', {});
    expect(anywhere.status).toBe(409);
    const refused = await json<{ msg: string; details?: { hosts: { reasons: string[] }[] } }>(
      anywhere,
    );
    expect(refused.msg).toContain(`${OTHER}: host ${OTHER} has no network lab`);
    expect(refused.details?.hosts[0]?.reasons).toEqual([`host ${OTHER} has no network lab`]);

    const named = await h.req('POST', '/v1/vms/lab-0/migrate', { to: OTHER });
    expect(named.status).toBe(409);
    expect((await json(named)).msg).toBe(
      `host ${OTHER} cannot take VM lab-0: host ${OTHER} has no network lab`,
    );
    // Nothing was accepted: the VM takes other changes at once, and is still on its host.
    const vm = await json<{ host_id: string; state: string }>(await h.req('GET', '/v1/vms/lab-0'));
    expect(vm).toMatchObject({ host_id: SOURCE, state: 'running' });
  });
});
