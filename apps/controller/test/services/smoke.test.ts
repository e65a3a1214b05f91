import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

describe('controller smoke', () => {
  it('creates an environment on a registered fake agent', async () => {
    h = await createHarness();
    await h.addAgent({ hostId: 'host_aaaaaaaaaaaa' });
    await uploadImage(h, 'alpine-cloud');
    const res = await h.req('POST', '/api/envs', {
      id: 'my-env',
      owner: 'alice',
      ssh_keys: [sshKey()],
      vms: [
        {
          image: 'alpine-cloud',
          engine: 'qemu',
          cpu: 2,
          mem: 2048,
          disk: 40960,
          ports: [80],
          deny_outgoing: false,
        },
      ],
      lifetime: 21600,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    await h.idle();
    const env = await json(await h.req('GET', '/api/envs/my-env'));
    expect(env.state).toBe('active');
  });
});
