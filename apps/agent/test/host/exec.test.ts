import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger, silentLogger } from '@apiary/server-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHostExec } from '../../src/host/exec.js';
import { HostCommandError } from '../../src/host/host-command-error.js';
import { tempDir } from '../helpers/temp.js';

let bin: string;

function script(name: string, body: string) {
  const path = join(bin, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

beforeAll(() => {
  bin = tempDir('exec');
  // Prints its argv one per line, and stdin after a marker.
  script('zfs', 'for a in "$@"; do echo "arg:$a"; done; if [ "$1" = receive ]; then cat; fi');
  script('zoneadm', 'echo "zoneadm: zone \'vm1\': must be installed before boot." >&2; exit 1');
  script('dladm', 'exec sleep 5');
  script('pfexec', 'echo "pfexec"; exec "$@"');
  script('zpool', 'echo "env:$ILLUMOS_SIM_ROOT"');
});

describe('createHostExec', () => {
  it('passes argv untouched, without a shell', async () => {
    const exec = createHostExec({
      illumosBin: bin,
      pfexec: false,
      env: {},
      log: silentLogger(),
    });
    const result = await exec.run('zfs', ['list', 'a b;c', '$(x)']);
    expect(result.stdout).toBe('arg:list\narg:a b;c\narg:$(x)\n');
    expect(result.argv).toEqual(['zfs', 'list', 'a b;c', '$(x)']);
    expect(result.exitCode).toBe(0);
  });

  it('writes input to stdin', async () => {
    const exec = createHostExec({
      illumosBin: bin,
      pfexec: false,
      env: {},
      log: silentLogger(),
    });
    const result = await exec.run('zfs', ['receive'], { input: 'stream-bytes' });
    expect(result.stdout).toBe('arg:receive\nstream-bytes');
  });

  it('throws a HostCommandError carrying argv, exit code and stderr', async () => {
    const exec = createHostExec({
      illumosBin: bin,
      pfexec: false,
      env: {},
      log: silentLogger(),
    });
    const error = await exec.run('zoneadm', ['-z', 'vm1', 'boot']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostCommandError);
    const e = error as HostCommandError;
    expect(e.argv).toEqual(['zoneadm', '-z', 'vm1', 'boot']);
    expect(e.exitCode).toBe(1);
    expect(e.timedOut).toBe(false);
    expect(e.says('must be installed before boot')).toBe(true);
  });

  it('kills a command that outlives its timeout and says so', async () => {
    const exec = createHostExec({
      illumosBin: bin,
      pfexec: false,
      env: {},
      log: silentLogger(),
    });
    const error = (await exec
      .run('dladm', ['show-link'], { timeoutMs: 200 })
      .catch((e) => e)) as HostCommandError;
    expect(error).toBeInstanceOf(HostCommandError);
    expect(error.timedOut).toBe(true);
  });

  it('prefixes pfexec when configured', async () => {
    const exec = createHostExec({
      illumosBin: bin,
      pfexec: true,
      env: {},
      log: silentLogger(),
    });
    const result = await exec.run('zfs', ['list']);
    expect(result.stdout).toBe('pfexec\narg:list\n');
    expect(exec.resolve('zfs')).toEqual([join(bin, 'pfexec'), join(bin, 'zfs')]);
  });

  it('runs commands with exactly the configured environment', async () => {
    const exec = createHostExec({
      illumosBin: bin,
      pfexec: false,
      env: { ILLUMOS_SIM_ROOT: '/sim/x' },
      log: silentLogger(),
    });
    expect((await exec.run('zpool', [])).stdout).toBe('env:/sim/x\n');
  });

  it('logs argv, exit code and duration, never stdin', async () => {
    const { log, lines } = createMemoryLogger();
    const exec = createHostExec({
      illumosBin: bin,
      pfexec: false,
      env: {},
      log,
    });
    await exec.run('zfs', ['receive'], { input: 'secret-content' });
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ msg: 'host command', argv: ['zfs', 'receive'], exit_code: 0 });
    expect(typeof entry.duration_ms).toBe('number');
    expect(lines.join('')).not.toContain('secret-content');
  });

  it('pipes one command into another', async () => {
    script('ipnat', 'printf "piped-data"');
    const exec = createHostExec({
      illumosBin: bin,
      pfexec: false,
      env: {},
      log: silentLogger(),
    });
    const result = await exec.pipe(['ipnat', ['-l']], ['zfs', ['receive']]);
    expect(result.stdout).toBe('arg:receive\npiped-data');
  });
});
