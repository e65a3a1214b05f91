import { guestHostname, readState } from '@apiary/illumos-sim';
import type { Env, Image, Recipe, RecipeRunResult, RecipeStepInput, Vm } from '@apiary/protocol';
import type { AgentDaemon, ControllerDaemon } from '@apiary/testkit';
import { sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';

/*
 * Serial-console recipes end to end (issue 16): the built controller and agent programs, a
 * simulated OmniOS host whose guest has a console account. The recipe logs in with an
 * organization secret and sets the hostname; the VM keeps the masked transcript; the password
 * is in no program's output. Runs on both engines (APIARY_TEST_DB=postgres).
 */

const PASSWORD = 'Rc16-root-pw!';
let c: ControllerDaemon;
let agent: AgentDaemon;
let image: Image;

fleetForFile(
  { agents: 1 },
  async (fleet) => {
    c = fleet.controller;
    agent = fleet.agents[0]!;
    image = await uploadSampleImage(c.admin, 'omnios-console', [
      { user: 'root', password: PASSWORD },
    ]);
  },
  180_000,
);

const LOGIN_HOSTNAME: RecipeStepInput[] = [
  { send: { line: '' } },
  { wait_for: { pattern: 'login: ', timeout_ms: 20_000 } },
  { send: { line: 'root' } },
  { wait_for: { pattern: 'Password:', timeout_ms: 10_000 } },
  { send: { line: '{{secret:root_pw}}' } },
  { wait_for: { pattern: '[#$] $', regex: true, timeout_ms: 10_000 } },
  { send: { line: 'hostname {{hostname}}' } },
  { wait_for: { pattern: '{{hostname}}:~# ', timeout_ms: 10_000 } },
  { send: { line: 'exit' } },
];

async function json<T>(res: Response, status: number): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}

/** The zone (internal VM id) of a VM by its name, on the fleet's one host. */
function zoneOf(name: string): string {
  const env = name.replace(/-\d+$/, '');
  const idx = name.slice(env.length + 1);
  const zone = readState(agent.simDir).zones.find((z) =>
    new RegExp(`^${env}-[a-z2-7]{8}-${idx}$`).test(z.name),
  );
  if (!zone) throw new Error(`no zone for ${name}`);
  return zone.name;
}

describe('recipes through a real fleet', () => {
  it('stores versions, refuses unknown placeholders, hides secret values', async () => {
    await json(await c.call('PUT', '/v1/secrets/root_pw', { value: PASSWORD }), 200);
    const secrets = await json<{ items: unknown[] }>(await c.call('GET', '/v1/secrets'), 200);
    expect(JSON.stringify(secrets)).toContain('root_pw');
    expect(JSON.stringify(secrets)).not.toContain(PASSWORD);
    const v1 = await json<Recipe>(
      await c.call('POST', '/v1/recipes', {
        name: 'login-hostname',
        steps: [{ sleep: { ms: 1 } }],
      }),
      201,
    );
    expect(v1.version).toBe(1);
    const v2 = await json<Recipe>(
      await c.call('PUT', '/v1/recipes/login-hostname', {
        description: 'log in, name the host',
        steps: LOGIN_HOSTNAME,
      }),
      200,
    );
    expect(v2.version).toBe(2);
    const first = await json<Recipe>(
      await c.call('GET', '/v1/recipes/login-hostname?version=1'),
      200,
    );
    expect(first.steps).toEqual([{ sleep: { ms: 1 } }]);
    const bad = await c.call('PUT', '/v1/recipes/login-hostname', {
      steps: [{ send: { line: 'echo {{password}}' } }],
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('unknown placeholder {{password}}');
    const list = await json<{ items: Recipe[] }>(await c.call('GET', '/v1/recipes'), 200);
    expect(list.items.map((r) => `${r.name}@${r.version}`)).toEqual([
      'illumos-login-hostname@1',
      'login-hostname@2',
    ]);
  });

  it('runs the recipe after the first boot: the hostname is set, the transcript is masked', async () => {
    await json(
      await c.call('POST', '/v1/envs', {
        id: 'rcp',
        ssh_keys: [sshKey()],
        vms: [
          { image: 'omnios-console', cpu: 1, mem: 1024, disk: 10240, recipe: 'login-hostname' },
        ],
      }),
      202,
    );
    await waitFor(
      async () => {
        const env = (await (await c.call('GET', '/v1/envs/rcp')).json()) as Env;
        if (env.state === 'failed') throw new Error(JSON.stringify(env));
        return env.state === 'active';
      },
      { what: 'the environment to be active', timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(guestHostname(agent.simDir, zoneOf('rcp-0'))).toBe('rcp-0');
    const vm = await json<Vm>(await c.call('GET', '/v1/vms/rcp-0'), 200);
    expect(vm.recipe_run).toMatchObject({
      recipe: 'login-hostname',
      version: 2,
      state: 'succeeded',
    });
    expect(vm.recipe_run?.transcript).toContain('root@rcp-0:~# ');
    expect(vm.recipe_run?.transcript).not.toContain(PASSWORD);
    expect(c.process.output).not.toContain(PASSWORD);
    expect(agent.process.output).not.toContain(PASSWORD);
  }, 150_000);

  it('runs a built-in recipe on a live VM, and fails a wrong password with the step and tail', async () => {
    await json(await c.call('PUT', '/v1/secrets/root_password', { value: PASSWORD }), 200);
    const ok = await json<RecipeRunResult>(
      await c.call('POST', '/v1/vms/rcp-0/recipe-runs', { recipe: 'illumos-login-hostname' }),
      200,
    );
    expect(ok).toMatchObject({ state: 'succeeded', recipe: 'illumos-login-hostname', version: 1 });
    await json(await c.call('PUT', '/v1/secrets/root_password', { value: 'wrong-pw' }), 200);
    const failed = await json<RecipeRunResult>(
      await c.call('POST', '/v1/vms/rcp-0/recipe-runs', { recipe: 'illumos-login-hostname' }),
      200,
    );
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('recipe_failed');
    expect(failed.error?.msg).toContain('step 6 (wait_for /[#$] $/) failed');
    expect(failed.error?.msg).toContain('Login incorrect');
    expect(failed.transcript).not.toContain('wrong-pw');
    const vm = await json<Vm>(await c.call('GET', '/v1/vms/rcp-0'), 200);
    expect(vm.recipe_run?.state).toBe('failed');
    expect(c.process.output).not.toContain('wrong-pw');
  }, 150_000);

  it("runs an image's default recipe for a VM whose spec names none", async () => {
    const set = await json<Image>(
      await c.call('PUT', `/v1/images/${image.digest}/default-recipe`, {
        recipe: 'login-hostname',
      }),
      200,
    );
    expect(set.default_recipe).toBe('login-hostname');
    const unknown = await c.call('PUT', `/v1/images/${image.digest}/default-recipe`, {
      recipe: 'nope',
    });
    expect(unknown.status).toBe(404);
    await json(await c.call('PUT', '/v1/secrets/root_pw', { value: PASSWORD }), 200);
    await json(
      await c.call('POST', '/v1/envs', {
        id: 'rcp-dflt',
        ssh_keys: [sshKey()],
        vms: [{ image: 'omnios-console', cpu: 1, mem: 1024, disk: 10240 }],
      }),
      202,
    );
    await waitFor(
      async () => {
        const env = (await (await c.call('GET', '/v1/envs/rcp-dflt')).json()) as Env;
        if (env.state === 'failed') throw new Error(JSON.stringify(env));
        return env.state === 'active';
      },
      { what: 'the environment to be active', timeoutMs: 120_000, intervalMs: 250 },
    );
    const vm = await json<Vm>(await c.call('GET', '/v1/vms/rcp-dflt-0'), 200);
    expect(vm.recipe_run).toMatchObject({
      recipe: 'login-hostname',
      version: 2,
      state: 'succeeded',
    });
    expect(guestHostname(agent.simDir, zoneOf('rcp-dflt-0'))).toBe('rcp-dflt-0');
    await json(
      await c.call('PUT', `/v1/images/${image.digest}/default-recipe`, { recipe: null }),
      200,
    );
  }, 150_000);

  it('fails the environment when a step fails: recipe_failed with the step and the tail', async () => {
    await json(await c.call('PUT', '/v1/secrets/root_pw', { value: 'not-the-password' }), 200);
    const quick = LOGIN_HOSTNAME.map((s) =>
      'wait_for' in s && s.wait_for.regex ? { wait_for: { ...s.wait_for, timeout_ms: 2000 } } : s,
    );
    await json(await c.call('PUT', '/v1/recipes/login-hostname', { steps: quick }), 200);
    await json(
      await c.call('POST', '/v1/envs', {
        id: 'rcp-bad',
        ssh_keys: [sshKey()],
        vms: [
          { image: 'omnios-console', cpu: 1, mem: 1024, disk: 10240, recipe: 'login-hostname' },
        ],
      }),
      202,
    );
    const env = await waitFor(
      async () => {
        const e = (await (await c.call('GET', '/v1/envs/rcp-bad')).json()) as Env;
        return e.state === 'failed' ? e : undefined;
      },
      { what: 'the environment to fail', timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(env.error?.code).toBe('recipe_failed');
    expect(env.error?.msg).toContain('recipe login-hostname v3 step 6 (wait_for /[#$] $/) failed');
    expect(env.error?.msg).toContain('Login incorrect');
    expect(env.error?.msg).not.toContain('not-the-password');
  }, 150_000);
});
