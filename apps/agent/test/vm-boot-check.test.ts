import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { addFault, readState, runCommand } from '@apiary/illumos-sim';
import { describe, expect, it } from 'vitest';
import { hostSnapshot } from './helpers/host-snapshot.js';
import { buildZfsImage } from './helpers/images.js';
import { type SimAgent, type SimAgentOptions, simAgent } from './helpers/sim-agent.js';

/*
 * `zoneadm boot` exits 0 once bhyve starts; a bhyve that cannot open a disk then exits and the
 * zone halts back to `installed`, with the reason in <zonepath>/root/tmp/init.log. The agent must
 * see that: a create is undone (or retried), a start or restart leaves the VM failed, and the
 * error carries bhyve's line.
 */

const image = buildZfsImage();
const MiB = 1024 * 1024;
const raw = Buffer.alloc(2 * MiB, 1);

async function prepared(options: SimAgentOptions = {}, format: 'zfs-send' | 'raw' = 'zfs-send') {
  const t = await simAgent(options);
  const body = format === 'raw' ? raw : image.stream;
  await t.api.uploadImage({ query: { name: 'box', format }, body, contentLength: body.length });
  return { t, baseline: hostSnapshot(t.simRoot) };
}

const host = (t: SimAgent, ...argv: string[]) => runCommand({ argv, root: t.simRoot });

/** Hold the create at its boot step, run `during` there, then let the boot go on. */
async function createHeldAtBoot(t: SimAgent, id: string, during: () => unknown) {
  await addFault(t.simRoot, { match: `zoneadm -z ${id} boot`, count: 1, hang_ms: 1500 });
  const { operation } = await t.api.createVm({ body: { id, env_id: 'boot', image: 'box' } });
  for (let i = 0; i < 2000; i++) {
    if ((await t.api.getOperation({ params: { id: operation.id } })).step === 'boot') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  await during();
  await t.settle();
  return t.api.getOperation({ params: { id: operation.id } });
}

const zvolMissing = (id: string) =>
  `bhyve-${id}: Could not open backing file: /dev/zvol/rdsk/rpool/apiary/vms/${id}/disk0: No such file or directory`;

async function deleteAndExpectBaseline(t: SimAgent, id: string, baseline: unknown) {
  await t.api.deleteVm({ params: { id } });
  await t.settle();
  expect((await t.api.getVm({ params: { id } }).catch((e) => e)).status).toBe(404);
  expect(hostSnapshot(t.simRoot)).toEqual(baseline);
}

describe('a clean create confirms the boot', () => {
  it('with exactly one zoneadm list of the zone after booting it', async () => {
    const { t } = await prepared();
    const mark = t.commands().length;
    await t.api.createVm({ body: { id: 'ok-0', env_id: 'boot', image: 'box' } });
    await t.settle();
    const ran = t
      .commands()
      .slice(mark)
      .map((c) => c.argv.join(' '));
    expect((await t.api.getVm({ params: { id: 'ok-0' } })).state).toBe('running');
    const boot = ran.indexOf('zoneadm -z ok-0 boot');
    expect(boot).toBeGreaterThan(0);
    expect(ran[boot + 1]).toBe('zoneadm -z ok-0 list -p');
    expect(ran.filter((c) => c === 'zoneadm -z ok-0 list -p')).toHaveLength(1);
  });
});

describe('a disk that vanishes before boot', () => {
  it('fails the create with bhyve’s reason and undoes everything (no retry)', async () => {
    const { t, baseline } = await prepared({ agent: { createAttempts: 1 } });
    const op = await createHeldAtBoot(t, 'gone-0', () =>
      host(t, 'zfs', 'destroy', 'rpool/apiary/vms/gone-0/disk0'),
    );
    expect(op.state).toBe('failed');
    expect(op.error?.code).toBe('boot_failed');
    expect(op.error?.msg).toBe(
      `boot: zone gone-0 is installed after boot: ${zvolMissing('gone-0')}`,
    );
    const vm = await t.api.getVm({ params: { id: 'gone-0' } });
    expect(vm).toMatchObject({ state: 'failed', error: op.error, ip: null, port_map: {} });
    // Reservations released, and nothing of the VM left on the host.
    expect((await t.api.info()).resources.used).toEqual({ cpu: 0, mem: 0, disk: 0 });
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
    await deleteAndExpectBaseline(t, 'gone-0', baseline);
  });

  it('is retried after the undo, and the second attempt runs', async () => {
    const { t, baseline } = await prepared({ agent: { createAttempts: 2 } });
    const op = await createHeldAtBoot(t, 'again-0', () =>
      host(t, 'zfs', 'destroy', 'rpool/apiary/vms/again-0/disk0'),
    );
    expect(op).toMatchObject({ state: 'succeeded', error: null });
    expect((await t.api.getVm({ params: { id: 'again-0' } })).state).toBe('running');
    const zone = readState(t.simRoot).zones.find((z) => z.name === 'again-0');
    expect(zone?.state).toBe('running');
    await deleteAndExpectBaseline(t, 'again-0', baseline);
  });

  it('fails a file-backed create with the disk file bhyve could not open', async () => {
    const { t, baseline } = await prepared(
      { flags: ['--storage', 'file'], agent: { createAttempts: 1 } },
      'raw',
    );
    const op = await createHeldAtBoot(t, 'file-0', () =>
      rmSync(join(t.simRoot, 'root', 'var', 'apiary', 'vms', 'file-0', 'disk0.img')),
    );
    expect(op.error).toEqual({
      code: 'boot_failed',
      msg: 'boot: zone file-0 is installed after boot: bhyve-file-0: Could not open backing file: /var/apiary/vms/file-0/disk0.img: No such file or directory',
    });
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
    await deleteAndExpectBaseline(t, 'file-0', baseline);
  });
});

describe('start and restart of a VM whose zone halts right after boot', () => {
  it('leaves the VM failed with bhyve’s reason on start, and delete still cleans up', async () => {
    const { t, baseline } = await prepared();
    await t.api.createVm({ body: { id: 'st-0', env_id: 'boot', image: 'box' } });
    await t.settle();
    await t.api.stopVm({ params: { id: 'st-0' } });
    await t.settle();
    expect((await host(t, 'zfs', 'destroy', 'rpool/apiary/vms/st-0/disk0')).exitCode).toBe(0);
    const { operation } = await t.api.startVm({ params: { id: 'st-0' } });
    await t.settle();
    const op = await t.api.getOperation({ params: { id: operation.id } });
    expect(op.error).toEqual({
      code: 'boot_failed',
      msg: `zone st-0 is installed after boot: ${zvolMissing('st-0')}`,
    });
    const vm = await t.api.getVm({ params: { id: 'st-0' } });
    expect(vm).toMatchObject({ state: 'failed', error: op.error });
    // The zone is halted, with no filter instance; the VM keeps its reservations until delete.
    expect(readState(t.simRoot).zones.find((z) => z.name === 'st-0')?.state).toBe('installed');
    expect(hostSnapshot(t.simRoot).zoneRules).toEqual({});
    expect((await t.api.info()).resources.used.cpu).toBe(2);
    await deleteAndExpectBaseline(t, 'st-0', baseline);
    expect((await t.api.info()).resources.used.cpu).toBe(0);
  });

  it('leaves the VM failed on restart when the zone can no longer reach its disk', async () => {
    const { t, baseline } = await prepared();
    await t.api.createVm({
      body: { id: 'rs-0', env_id: 'boot', image: 'box', deny_outgoing: true },
    });
    await t.settle();
    // Someone removed the zone's device match: it applies at the next boot of the running zone.
    const removed = await host(
      t,
      'zonecfg',
      '-z',
      'rs-0',
      'remove device match=/dev/zvol/rdsk/rpool/apiary/vms/rs-0/disk0',
    );
    expect(removed.exitCode, removed.stderr).toBe(0);
    const { operation } = await t.api.restartVm({ params: { id: 'rs-0' } });
    await t.settle();
    const op = await t.api.getOperation({ params: { id: operation.id } });
    expect(op).toMatchObject({ state: 'failed', step: 'reboot' });
    expect(op.error?.msg).toBe(`zone rs-0 is installed after boot: ${zvolMissing('rs-0')}`);
    expect((await t.api.getVm({ params: { id: 'rs-0' } })).state).toBe('failed');
    await deleteAndExpectBaseline(t, 'rs-0', baseline);
  });
});
