import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env, Image, Recipe, RecipeRunResult } from '@apiary/protocol';
import { Fleet, writeSampleImage } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshKey } from '../fixtures.js';
import { cliJson, runCli } from './run-cli.js';

/*
 * `apiary recipes` against a real controller and agent on a simulated host (issue 16): a
 * secret from standard input, a recipe from a file, an environment whose VM runs it, and
 * `recipes test` on the live VM, passing and failing.
 */
const PASSWORD = 'cli-Rc16-pw';
let fleet: Fleet;
let dir: string;
let env: NodeJS.ProcessEnv;

const recipe = {
  name: 'login-hostname',
  description: 'log in, name the host',
  steps: [
    { send: { line: '' } },
    { wait_for: { pattern: 'login: ', timeout_ms: 20_000 } },
    { send: { line: 'root' } },
    { wait_for: { pattern: 'Password:', timeout_ms: 5000 } },
    { send: { line: '{{secret:root_pw}}' } },
    { wait_for: { pattern: '[#$] $', regex: true, timeout_ms: 3000 } },
    { send: { line: 'hostname {{hostname}}' } },
    { wait_for: { pattern: '{{hostname}}:~# ', timeout_ms: 5000 } },
    { send: { line: 'exit' } },
  ],
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apiary-cli-recipes-'));
  fleet = await Fleet.start({ dir, agents: 1 });
  env = {
    HOME: dir,
    APIARY_CONFIG: join(dir, 'cli', 'config.json'),
    APIARY_URL: fleet.controllerUrl,
    APIARY_API_KEY: fleet.bootstrap.adminApiKey,
    APIARY_CA: fleet.controller.certFile,
  };
  const file = await writeSampleImage(join(dir, 'omnios-console.zfs'), 'omnios-console', [
    { user: 'root', password: PASSWORD },
  ]);
  await cliJson<Image>(['images', 'import', file, '--name', 'omnios-console'], env);
}, 240_000);

afterAll(async () => {
  await fleet?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('apiary recipes against a real fleet', () => {
  it('sets a secret from stdin, stores a recipe, and an environment runs it', async () => {
    const set = await runCli(['recipes', 'secrets', 'set', 'root_pw'], { env, stdin: PASSWORD });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('secret root_pw set\n');
    const listed = await runCli(['recipes', 'secrets', 'list'], { env });
    expect(listed.stdout).toContain('root_pw');
    expect(listed.stdout).not.toContain(PASSWORD);

    const recipeFile = join(dir, 'recipe.json');
    writeFileSync(recipeFile, JSON.stringify(recipe));
    const stored = await cliJson<Recipe>(['recipes', 'create', recipeFile], env);
    expect(stored).toMatchObject({ name: 'login-hostname', version: 1, builtin: false });
    const again = await cliJson<Recipe>(['recipes', 'create', recipeFile, '--new-version'], env);
    expect(again.version).toBe(2);
    const shown = await runCli(['recipes', 'show', 'login-hostname@1'], { env });
    expect(shown.stdout).toMatch(/version\s+1/);
    expect(shown.stdout).toContain('5. send "{{secret:root_pw}}"');
    const list = await runCli(['recipes', 'list'], { env });
    expect(list.stdout).toMatch(/illumos-login-hostname[ │]+1[ │]+10[ │]+yes/);

    const envFile = join(dir, 'env.json');
    writeFileSync(
      envFile,
      JSON.stringify({
        id: 'rcp',
        ssh_keys: [sshKey()],
        vms: [{ image: 'omnios-console', disk: 10240, recipe: 'login-hostname' }],
      }),
    );
    const created = await cliJson<Env>(['envs', 'create', '--file', envFile, '--wait'], env);
    expect(created.state).toBe('active');
  }, 180_000);

  it('tests a recipe on the live VM: the masked transcript, exit 1 when a step fails', async () => {
    const ok = await runCli(['recipes', 'test', 'login-hostname', '--vm', 'rcp-0'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/state\s+succeeded/);
    expect(ok.stdout).toContain('root@rcp-0:~# ');
    expect(ok.stdout).not.toContain(PASSWORD);

    await runCli(['recipes', 'secrets', 'set', 'root_pw'], { env, stdin: 'not-it' });
    const failed = await runCli(['recipes', 'test', 'login-hostname', '--vm', 'rcp-0', '--json'], {
      env,
    });
    expect(failed.code).toBe(1);
    const run = JSON.parse(failed.stdout) as RecipeRunResult;
    expect(run.state).toBe('failed');
    expect(run.error?.msg).toContain('step 6 (wait_for /[#$] $/) failed: no match within 3000 ms');
    expect(run.transcript).toContain('Login incorrect');
    expect(failed.stdout).not.toContain('not-it');

    const gone = await runCli(['recipes', 'delete', 'login-hostname'], { env });
    expect(gone.stdout).toBe('deleted recipe login-hostname\n');
    const missing = await runCli(['recipes', 'show', 'login-hostname'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('recipe login-hostname not found');
  }, 120_000);
});
