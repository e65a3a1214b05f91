import { Writable } from 'node:stream';
import { guestHostname } from '@apiary/illumos-sim';
import type { AgentRecipeRunReqInput, RecipeStepInput } from '@apiary/protocol';
import { createLogger } from '@apiary/server-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZfsImage } from './helpers/images.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

/*
 * Recipes on the serial console: the agent drives `zlogin -C` of a VM whose simulated guest
 * has a console account (the disk label: os-release, NUL, `user:password` lines, NUL), and
 * everything it logs is captured to look for the secret.
 */
const PASSWORD = 'S3cret-pw!9';
const label = 'ID=omnios\nNAME="OmniOS"\n\0root:S3cret-pw!9\n\0';
const image = buildZfsImage({ content: label });
const logged: string[] = [];
let t: SimAgent;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logged.push(chunk.toString('utf8'));
      done();
    },
  });
  t = await simAgent({ agent: { log: createLogger({ level: 'debug', destination: sink }) } });
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  await t.api.createVm({ body: { id: 'rcp-0', env_id: 'rcp', image: 'box' } });
  await t.settle();
}, 60_000);

const login = (password = '{{secret:root_pw}}'): RecipeStepInput[] => [
  { wait_for: { pattern: 'console login: ', timeout_ms: 5000 } },
  { send: { line: 'root' } },
  { wait_for: { pattern: 'Password:', timeout_ms: 5000 } },
  { send: { line: password } },
  { wait_for: { pattern: 'root@[a-z0-9-]+:~# $', regex: true, timeout_ms: 3000 } },
];

async function run(steps: RecipeStepInput[], secrets: Record<string, string> = {}) {
  const body: AgentRecipeRunReqInput = {
    recipe: { name: 'test-recipe', version: 3 },
    steps,
    secrets: { root_pw: PASSWORD, ...secrets },
  };
  const accepted = await t.api.runRecipe({ params: { id: 'rcp-0' }, body });
  expect(accepted.operation.kind).toBe('recipe_run');
  await t.settle();
  return t.api.getOperation({ params: { id: accepted.operation.id } });
}

describe('recipe runs on the serial console', () => {
  it('logs into the guest and sets its hostname; the transcript masks the secret', async () => {
    const op = await run([
      ...login(),
      // The secret typed where the guest echoes it: the transcript must still not show it.
      { send: { line: `echo {{secret:root_pw}} done` } },
      { wait_for: { pattern: 'done', timeout_ms: 3000 } },
      // The agent fills in the VM's address and gateway.
      { send: { line: 'echo ip={{ip}} gw={{gateway}}' } },
      {
        wait_for: {
          pattern: 'ip=\\d+\\.\\d+\\.\\d+\\.\\d+ gw=\\d+\\.',
          regex: true,
          timeout_ms: 3000,
        },
      },
      { send: { line: 'hostname web-7' } },
      { wait_for: { pattern: 'root@web-7:~# ', timeout_ms: 3000 } },
      { send: { line: 'exit' } },
      { wait_for: { pattern: 'console login: ', timeout_ms: 3000 } },
    ]);
    expect(op.error).toBeNull();
    expect(op.state).toBe('succeeded');
    expect(guestHostname(t.simRoot, 'rcp-0')).toBe('web-7');
    expect(op.transcript).toContain('root@web-7:~# ');
    expect(op.transcript).toContain('echo ******** done');
    expect(op.transcript).not.toContain(PASSWORD);
    expect(logged.join('')).not.toContain(PASSWORD);
    expect(logged.join('')).toContain('recipe run finished');
  }, 30_000);

  it('fails on a wrong password with the step number and the transcript tail', async () => {
    const op = await run(login('not-the-password'));
    expect(op.state).toBe('failed');
    expect(op.error?.code).toBe('recipe_failed');
    expect(op.error?.msg).toMatch(/^recipe test-recipe v3 step 5 \(wait_for \/root@/);
    expect(op.error?.msg).toContain('no match within 3000 ms');
    expect(op.error?.msg).toMatch(/transcript tail:\n[\s\S]*Login incorrect/);
  }, 30_000);

  it('fails when a pattern never comes, masking secrets in the message too', async () => {
    const op = await run(
      [
        { wait_for: { pattern: 'console login: ', timeout_ms: 5000 } },
        { send: { line: '{{secret:other}}' } },
        { wait_for: { pattern: 'never printed', timeout_ms: 500 } },
      ],
      { other: 'typed-at-login-9' },
    );
    expect(op.state).toBe('failed');
    expect(op.error?.msg).toContain(
      'step 3 (wait_for "never printed") failed: no match within 500 ms',
    );
    // The login prompt echoes what is typed: the message and transcript show the mask.
    expect(op.error?.msg).toContain('console login: ********');
    expect(JSON.stringify(op)).not.toContain('typed-at-login-9');
    expect(logged.join('')).not.toContain('typed-at-login-9');
  }, 30_000);

  it('refuses a recipe whose secret has no value, and a VM that does not run', async () => {
    await expect(
      t.api.runRecipe({
        params: { id: 'rcp-0' },
        body: { recipe: { name: 'x', version: 1 }, steps: [{ send: { line: '{{secret:nope}}' } }] },
      }),
    ).rejects.toThrow(/no value for secret nope/);
    await expect(
      t.api.runRecipe({
        params: { id: 'nope-0' },
        body: { recipe: { name: 'x', version: 1 }, steps: [{ sleep: { ms: 1 } }] },
      }),
    ).rejects.toThrow(/no VM nope-0/);
  });
});
