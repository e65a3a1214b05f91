import { describe, expect, it } from 'vitest';
import { addFault, clearFaults, readCommandLog, readFaults } from '../src/index.js';
import { makeZone, newHost, ok, run, runBin } from './helpers.js';

/** Fault injection and the command log: what tests of other packages rely on. */
describe('faults', () => {
  it('fails the next matching invocation with the given stderr and exit code, then runs normally', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    await addFault(root, {
      match: 'zoneadm * boot',
      stderr: "zoneadm: zone 'vm1': call to zoneadmd failed\n",
      exit_code: 1,
    });
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'boot'])).toEqual({
      stdout: '',
      stderr: "zoneadm: zone 'vm1': call to zoneadmd failed\n",
      exitCode: 1,
    });
    expect((await ok(root, ['zoneadm', '-z', 'vm1', 'list', '-p'])).split(':')[2]).toBe(
      'installed',
    );
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    expect(readFaults(root)).toEqual([]);
  });

  it('matches through pfexec and absolute paths, and counts down', async () => {
    const root = newHost();
    await addFault(root, { match: 'zfs create *', count: 2, exit_code: 1, stderr: 'boom\n' });
    expect(
      (await run(root, ['/usr/bin/pfexec', '/usr/sbin/zfs', 'create', 'rpool/a'])).stderr,
    ).toBe('boom\n');
    expect((await run(root, ['zfs', 'create', 'rpool/a'])).stderr).toBe('boom\n');
    await ok(root, ['zfs', 'create', 'rpool/a']);
    await ok(root, ['zfs', 'list', 'rpool/a']);
  });

  it('with when=after, lets the command take effect and reports failure anyway', async () => {
    const root = newHost();
    await addFault(root, {
      match: 'zfs create rpool/b',
      when: 'after',
      exit_code: 1,
      stderr: 'lost\n',
    });
    expect((await run(root, ['zfs', 'create', 'rpool/b'])).exitCode).toBe(1);
    await ok(root, ['zfs', 'list', 'rpool/b']);
  });

  it('hangs for hang_ms and then runs the command when no failure is given', async () => {
    const root = newHost();
    await addFault(root, { match: 'zpool list*', hang_ms: 300 });
    const t = Date.now();
    expect((await run(root, ['zpool', 'list', '-Hpo', 'name'])).stdout).toBe('rpool\n');
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
  });

  it('never runs out with count null, until cleared', async () => {
    const root = newHost();
    await addFault(root, { match: 'dladm *', count: null, exit_code: 3 });
    for (let i = 0; i < 3; i++) expect((await run(root, ['dladm', 'show-link'])).exitCode).toBe(3);
    await clearFaults(root);
    expect((await run(root, ['dladm', 'show-link'])).exitCode).toBe(0);
  });

  it('rejects a fault without a pattern or with a bad count', async () => {
    const root = newHost();
    await expect(addFault(root, { match: '' })).rejects.toThrow(/match/);
    await expect(addFault(root, { match: 'x', count: 0 })).rejects.toThrow(/count/);
  });
});

describe('command log', () => {
  it('records argv, exit code, duration, time and whether a fault answered', async () => {
    const root = newHost();
    await run(root, ['zoneadm', 'list', '-cp']);
    await run(root, ['zfs', 'list', 'rpool/nope']);
    await addFault(root, { match: 'zpool *', exit_code: 1 });
    await run(root, ['pfexec', 'zpool', 'list']);
    const log = readCommandLog(root);
    expect(log.map((e) => [e.argv, e.exit_code, e.fault ?? false])).toEqual([
      [['zoneadm', 'list', '-cp'], 0, false],
      [['zfs', 'list', 'rpool/nope'], 1, false],
      [['pfexec', 'zpool', 'list'], 1, true],
    ]);
    for (const e of log) {
      expect(e.duration_ms).toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(e.time))).toBe(false);
    }
  });

  it('logs invocations of the real executables too', async () => {
    const root = newHost();
    const r = await runBin(root, ['zoneadm', 'list', '-cp']);
    expect(r).toEqual({ stdout: '0:global:running:/::ipkg:shared:0\n', stderr: '', exitCode: 0 });
    expect(readCommandLog(root).map((e) => e.argv)).toEqual([['zoneadm', 'list', '-cp']]);
  });
});
