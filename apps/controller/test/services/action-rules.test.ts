import {
  type EnvAction,
  EnvState,
  envActionAllowed,
  type VmAction,
  VmState,
  vmActionAllowed,
} from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/*
 * The dashboard and the CLI offer an action when protocol's shared rule allows it; these tests
 * hold the controller to the same rule, state by state.
 */

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.addAgent({ hostId: 'host_rules0000001', total: { cpu: 8, mem: 16384, disk: 400_000 } });
  await uploadImage(h, 'alpine-cloud');
  const res = await h.req('POST', '/v1/envs', {
    id: 'rules',
    ssh_keys: [sshKey()],
    vms: [{ image: 'alpine-cloud', cpu: 1, mem: 512, disk: 2048 }],
  });
  expect(res.status).toBe(202);
  await h.idle();
});
afterAll(async () => h?.close());

/** Puts the environment (and its VM) in a state directly, as if a saga had left it there. */
async function setStates(env: EnvState, vm?: string) {
  const { envs, vms } = h.core.ctx.t;
  await h.core.ctx.db.update(envs).set({ state: env }).where(eq(envs.name, 'rules'));
  if (vm) await h.core.ctx.db.update(vms).set({ state: vm }).where(eq(vms.name, 'rules-0'));
}

const ENV_REQUESTS: Record<EnvAction, [string, string, unknown?]> = {
  stop: ['POST', '/v1/envs/rules/stop'],
  start: ['POST', '/v1/envs/rules/start'],
  delete: ['DELETE', '/v1/envs/rules'],
  extend: ['POST', '/v1/envs/rules/extend', { seconds: 60 }],
};

describe('the controller applies the shared action rules', () => {
  for (const state of EnvState.options) {
    for (const action of Object.keys(ENV_REQUESTS) as EnvAction[]) {
      const allowed = envActionAllowed(state, action);
      it(`${allowed ? 'accepts' : 'refuses'} ${action} of an environment that is ${state}`, async () => {
        await setStates(state);
        const [method, path, body] = ENV_REQUESTS[action];
        const res = await h.req(method, path, body);
        await h.idle();
        expect(res.status < 300 ? 'accepted' : res.status).toBe(allowed ? 'accepted' : 409);
      });
    }
  }

  for (const vmState of VmState.options) {
    for (const action of ['stop', 'start', 'restart'] as VmAction[]) {
      const allowed = vmActionAllowed(vmState, action);
      it(`${allowed ? 'accepts' : 'refuses'} ${action} of a VM that is ${vmState}`, async () => {
        await setStates('active', vmState);
        const res = await h.req('POST', `/v1/vms/rules-0/${action}`);
        await h.idle();
        expect(res.status < 300 ? 'accepted' : res.status).toBe(allowed ? 'accepted' : 409);
      });
    }
  }

  it('refuses VM actions while the environment itself is changing', async () => {
    await setStates('stopping', 'running');
    expect((await h.req('POST', '/v1/vms/rules-0/restart')).status).toBe(409);
  });
});
