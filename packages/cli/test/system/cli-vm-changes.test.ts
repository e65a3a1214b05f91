import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env, Image, Vm, VmOperation, VmSnapshot } from '@apiary/protocol';
import { Fleet, writeSampleImage } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshKey } from '../fixtures.js';
import { cliJson, runCli } from './run-cli.js';

/*
 * Changing a VM with `apiary vms ...` against a real controller and agent on a simulated host
 * (issue 13): resize, data disks, snapshots, rollback with its confirmations, clone, publish.
 */
let fleet: Fleet;
let dir: string;
let env: NodeJS.ProcessEnv;

interface Outcome {
  vm: Vm;
  operation: VmOperation;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apiary-cli-vmchange-'));
  fleet = await Fleet.start({ dir, agents: 1 });
  env = {
    HOME: dir,
    APIARY_CONFIG: join(dir, 'cli', 'config.json'),
    APIARY_URL: fleet.controllerUrl,
    APIARY_API_KEY: fleet.bootstrap.adminApiKey,
    APIARY_CA: fleet.controller.certFile,
  };
  const file = await writeSampleImage(join(dir, 'alpine-cloud.zfs'));
  await cliJson<Image>(['images', 'import', file, '--name', 'alpine-cloud'], env);
  const created = await cliJson<Env>(
    ['envs', 'create', '--id', 'chg', '--image', 'alpine-cloud', '--ssh-key', sshKey(), '--wait'],
    env,
  );
  expect(created.state).toBe('active');
}, 240_000);

afterAll(async () => {
  await fleet?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('apiary vms changes against a real fleet', () => {
  it('resizes a running VM at its next start, shows it pending, and applies it with --restart', async () => {
    const later = await cliJson<Outcome>(['vms', 'resize', 'chg-0', '--cpu', '3'], env);
    expect(later.operation.state).toBe('succeeded');
    expect(later.vm.pending_changes).toMatchObject({ cpu: 3 });
    const shown = await runCli(['vms', 'show', 'chg-0'], { env });
    expect(shown.stdout).toMatch(/pending\s+cpu 3 \(at next start\)/);

    const now = await cliJson<Outcome>(['vms', 'resize', 'chg-0', '--mem', '2G', '--restart'], env);
    expect(now.operation.state).toBe('succeeded');
    expect(now.vm).toMatchObject({ cpu: 3, mem: 2048, state: 'running' });
    expect(now.vm.pending_changes ?? null).toBeNull();
  });

  it('refuses a smaller boot disk with the controller’s reason and exit 1', async () => {
    const shrink = await runCli(['vms', 'resize', 'chg-0', '--disk', '1G'], { env });
    expect(shrink.code).toBe(1);
    expect(shrink.stderr).toMatch(
      /^error: the boot disk only grows: 1024 MiB is less than its \d+ MiB/,
    );
  });

  it('adds a data disk, lists it and shows progress on stderr', async () => {
    const added = await runCli(['vms', 'disks', 'add', 'chg-0', '2G'], { env });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toMatch(/^add disk to chg-0: (pending|running)/m);
    expect(added.stderr).toMatch(/^add disk to chg-0: succeeded/m);
    const disks = await cliJson<Array<{ n: number; size: number }>>(['vms', 'disks', 'chg-0'], env);
    expect(disks).toEqual([expect.objectContaining({ size: 2048 })]);
  });

  it('attaches an ISO image as the CD-ROM and detaches it', async () => {
    const file = join(dir, 'installer.iso');
    writeFileSync(file, Buffer.alloc(64 * 1024, 7));
    const iso = await cliJson<Image>(['images', 'import', file], env);
    expect(iso).toMatchObject({ name: 'installer', format: 'iso' });
    const attached = await cliJson<Outcome>(['vms', 'cdrom', 'attach', 'chg-0', 'installer'], env);
    expect(attached.operation.state).toBe('succeeded');
    const cdrom = attached.vm.cdrom ?? attached.vm.pending_changes?.cdrom;
    expect(cdrom).toBe(iso.digest);
    const shown = await runCli(['vms', 'show', 'chg-0'], { env });
    expect(shown.stdout).toContain(iso.digest.slice(0, 19));
    const wrong = await runCli(['vms', 'cdrom', 'attach', 'chg-0', 'alpine-cloud'], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/iso/);
    const detached = await cliJson<Outcome>(['vms', 'cdrom', 'detach', 'chg-0'], env);
    expect(detached.operation.state).toBe('succeeded');
  });

  it('takes snapshots, and a rollback asks for --stop, then --force, naming what it destroys', async () => {
    await cliJson<Outcome>(['vms', 'snapshot', 'chg-0', 'first'], env);
    await cliJson<Outcome>(['vms', 'snapshot', 'chg-0', 'second'], env);
    const snapshots = await cliJson<VmSnapshot[]>(['vms', 'snapshots', 'chg-0'], env);
    expect(snapshots.map((s) => s.name)).toEqual(['first', 'second']);

    const running = await runCli(['vms', 'rollback', 'chg-0', 'first'], { env });
    expect(running.code).toBe(1);
    expect(running.stderr).toContain('hint: stop the VM first, or run again with --stop');

    const later = await runCli(['vms', 'rollback', 'chg-0', 'first', '--stop'], { env });
    expect(later.code).toBe(1);
    expect(later.stderr).toMatch(/^error: .*second/m);
    expect(later.stderr).not.toContain('?force=true');
    expect(later.stderr).toContain('hint: run again with --force to destroy them');

    const done = await cliJson<Outcome>(
      ['vms', 'rollback', 'chg-0', 'first', '--stop', '--force'],
      env,
    );
    expect(done.operation).toMatchObject({ kind: 'rollback', state: 'succeeded' });
    const left = await cliJson<VmSnapshot[]>(['vms', 'snapshots', 'chg-0'], env);
    expect(left.map((s) => s.name)).toEqual(['first']);
  });

  it('clones a snapshot into a new VM and publishes it as an image', async () => {
    const clone = await cliJson<Outcome>(['vms', 'clone', 'chg-0', 'first'], env);
    expect(clone.operation).toMatchObject({ kind: 'clone', state: 'succeeded' });
    expect(clone.vm.id).not.toBe('chg-0');
    expect(clone.vm.id).toBe(clone.operation.result?.vm_id);

    const published = await cliJson<Outcome>(
      ['vms', 'publish', 'chg-0', 'first', 'chg-golden'],
      env,
    );
    expect(published.operation).toMatchObject({
      state: 'succeeded',
      result: { image: 'chg-golden' },
    });
    const images = await cliJson<Image[]>(['images', 'list'], env);
    expect(images.map((i) => i.name)).toContain('chg-golden');

    const shown = await cliJson<VmOperation>(['operations', 'show', published.operation.id], env);
    expect(shown).toMatchObject({ id: published.operation.id, kind: 'publish_image' });
    const ops = await cliJson<VmOperation[]>(['vms', 'operations', 'chg-0'], env);
    expect(ops[0]?.id).toBe(published.operation.id);
  });

  it('returns at once with --no-wait, naming the operation to follow', async () => {
    const quick = await runCli(['vms', 'snapshot', 'chg-0', 'third', '--no-wait'], { env });
    expect(quick.code, quick.stderr).toBe(0);
    expect(quick.stdout).toMatch(/follow it with 'apiary operations show saga_\w+'/);
  });
});
