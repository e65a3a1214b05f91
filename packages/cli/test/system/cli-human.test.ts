import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host, Image, Vm } from '@apiary/protocol';
import { Fleet, freePort, waitFor, writeSampleImage } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshKey } from '../fixtures.js';
import { cliJson, runCli, spawnCli } from './run-cli.js';

/*
 * The CLI as a person reads it (issue 17): hostnames rather than ids, names rather than
 * digests, suggestions for near names, advice that can help. One agent, one environment.
 */
let fleet: Fleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let host: Host;
const key = sshKey('human@test');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apiary-cli-human-'));
  fleet = await Fleet.start({ dir, agents: 1 });
  env = {
    HOME: dir,
    APIARY_CONFIG: join(dir, 'cli', 'config.json'),
    APIARY_URL: fleet.controllerUrl,
    APIARY_API_KEY: fleet.bootstrap.adminApiKey,
    APIARY_CA: fleet.controller.certFile,
  };
  const file = await writeSampleImage(join(dir, 'alpine-cloud.zfs'));
  await cliJson(['images', 'import', file, '--name', 'alpine-cloud'], env);
  await cliJson(
    ['envs', 'create', '--id', 'human', '--image', 'alpine-cloud', '--ssh-key', key, '--wait'],
    env,
  );
  host = (await cliJson<Host[]>(['hosts', 'list'], env))[0] as Host;
}, 180_000);

afterAll(async () => {
  await fleet?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('a CLI that speaks human', () => {
  it('lists VMs across environments with filters, hosts by hostname', async () => {
    const all = await cliJson<Vm[]>(['vms', 'list'], env);
    expect(all.map((v) => [v.env_id, v.state])).toEqual([['human', 'running']]);
    const table = await runCli(['vms', 'list', '--env', 'human'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/VM\W+ENV\W+STATE\W+HOST\W+CPU\W+MEM MiB\W+DISK MiB\W+ADDRESS/);
    const line = table.stdout.split('\n').find((l) => l.includes('human')) as string;
    expect(line).toContain(` ${host.hostname} `);
    expect(line).not.toContain(host.id);
    expect(line).toContain(all[0]?.ip as string);
    const byHost = await cliJson<Vm[]>(['vms', 'list', '--host', host.hostname], env);
    expect(byHost).toHaveLength(1);
    expect(await cliJson<Vm[]>(['vms', 'list', '--state', 'stopped'], env)).toEqual([]);
    expect(await cliJson<Vm[]>(['vms', 'list', '--env', 'other'], env)).toEqual([]);
    expect(await cliJson<Vm[]>(['vms', 'list', '--host', 'nowhere'], env)).toEqual([]);
    const bad = await runCli(['vms', 'list', '--state', 'sleepy'], { env });
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringMatching(/^error: --state is one of /),
    ]);
  });

  it('names hosts by hostname in every table, with ids only on --wide', async () => {
    const vm = (await cliJson<Vm[]>(['vms', 'list'], env))[0] as Vm;
    const envShown = await runCli(['envs', 'show', 'human'], { env });
    const vmShown = await runCli(['vms', 'show', vm.id], { env });
    const hosts = await runCli(['hosts', 'list'], { env });
    for (const shown of [envShown, vmShown, hosts]) {
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(host.hostname);
      expect(shown.stdout).not.toContain(host.id);
    }
    expect(vmShown.stdout).toMatch(new RegExp(`host\\s+${host.hostname}\n`));
    const wide = await runCli(['envs', 'show', 'human', '--wide'], { env });
    expect(wide.stdout).toContain(`${host.hostname} (${host.id})`);
    const wideVm = await runCli(['vms', 'show', vm.id, '--wide'], { env });
    expect(wideVm.stdout).toMatch(new RegExp(`host\\s+${host.hostname} \\(${host.id}\\)`));
    const wideHosts = await runCli(['hosts', 'list', '--wide'], { env });
    expect(wideHosts.stdout).toMatch(/HOSTNAME\W+ID\W+LIVENESS/);
    expect(wideHosts.stdout).toContain(host.id);
  });

  it('shows an image by name as well as by digest', async () => {
    const byName = await cliJson<Image>(['images', 'show', 'alpine-cloud'], env);
    expect(byName.name).toBe('alpine-cloud');
    const byDigest = await cliJson<Image>(['images', 'show', byName.digest], env);
    expect(byDigest.digest).toBe(byName.digest);
    const shown = await runCli(['images', 'show', 'alpine-cloud'], { env });
    expect(shown.stdout).toMatch(new RegExp(`digest\\s+${byName.digest}`));
  });

  it('suggests the near name of an unknown image, environment or host', async () => {
    const image = await runCli(['images', 'show', 'alpine-clud'], { env });
    expect([image.code, image.stderr]).toEqual([
      1,
      'error: no image alpine-clud; did you mean alpine-cloud? `apiary images list` shows them; `apiary images import FILE` adds one\n',
    ]);
    const create = await runCli(
      ['envs', 'create', '--id', 'typo', '--image', 'alpine-clud', '--ssh-key', key],
      { env },
    );
    expect([create.code, create.stderr]).toEqual([1, image.stderr]);
    const shown = await runCli(['envs', 'show', 'humn'], { env });
    expect([shown.code, shown.stderr]).toEqual([
      1,
      'error: no environment humn; did you mean human? `apiary envs list` shows them\n',
    ]);
    const stopped = await runCli(['envs', 'stop', 'humn'], { env });
    expect(stopped.stderr).toContain('did you mean human?');
    const typo = `${host.hostname.slice(0, -1)}x`;
    const hostShown = await runCli(['hosts', 'show', typo], { env });
    expect([hostShown.code, hostShown.stderr]).toEqual([
      1,
      `error: no host ${typo}; did you mean ${host.hostname}? \`apiary hosts list\` shows them\n`,
    ]);
    const byName = await cliJson<Host>(['hosts', 'show', host.hostname], env);
    expect(byName.id).toBe(host.id);
  });

  it('says in one line how to make or pass an SSH key when there is none', async () => {
    const noKey = await runCli(['envs', 'create', '--id', 'keyless', '--image', 'alpine-cloud'], {
      env,
    });
    expect([noKey.code, noKey.stderr]).toEqual([
      2,
      'error: no SSH key to give the VMs (none in ~/.ssh/*.pub): make one with `ssh-keygen -t ed25519`, or pass one with --ssh-key @FILE.pub\n',
    ]);
  });

  it('shows when a deleted environment was deleted', async () => {
    await cliJson(
      ['envs', 'create', '--id', 'gone', '--image', 'alpine-cloud', '--ssh-key', key, '--wait'],
      env,
    );
    await cliJson(['envs', 'delete', 'gone', '--wait'], env);
    const shown = await runCli(['envs', 'show', 'gone'], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/deleted\s+\S+ \(\d+s ago\)/);
    expect(shown.stdout).not.toContain('expires');
  });

  it('does not suggest deleting environments for a VM no host could ever fit', async () => {
    const huge = await runCli(
      ['envs', 'create', '--id', 'huge', '--image', 'alpine-cloud', '--ssh-key', key].concat([
        '--cpu',
        '64',
        '--mem',
        '1048576',
      ]),
      { env },
    );
    expect(huge.code).toBe(1);
    expect(huge.stderr).toMatch(/hint: no host could ever fit this VM \(64 vCPUs/);
    expect(huge.stderr).not.toContain('envs delete');
  });

  it('tells a second console client why it was refused, never "connected"', async () => {
    const first = spawnCli(['vms', 'console', 'human-0'], env);
    try {
      await waitFor(async () => first.output().stderr.includes('connected to human-0'), {
        what: 'the first console to connect',
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      const second = await runCli(['vms', 'console', 'human-0'], { env });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('in use by another client');
      expect(second.stderr).not.toContain('connected');
      first.write('\x1d');
      expect((await first.exited).code).toBe(0);
    } finally {
      first.kill();
    }
  });
});

describe('npm run dev', () => {
  it('prints "stopped" once Ctrl-C has stopped the fleet', async () => {
    const script = join(import.meta.dirname, '..', '..', '..', '..', 'scripts', 'dev-fleet.mjs');
    const dev = spawn(process.execPath, [script], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        APIARY_DEV_DIR: join(dir, 'dev'),
        APIARY_DEV_PORT: String(await freePort()),
        APIARY_DEV_AGENT_PORT: String(await freePort()),
      },
    });
    let stdout = '';
    dev.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => dev.on('exit', resolve));
    try {
      await expect.poll(() => stdout, { timeout: 120_000 }).toContain('Ctrl-C stops everything.');
      dev.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout.trimEnd().split('\n').at(-1)).toBe(
        `stopped; the state stays in ${join(dir, 'dev')} for the next start`,
      );
    } finally {
      if (dev.exitCode === null) dev.kill('SIGKILL');
    }
  }, 180_000);
});
