import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readState } from '../src/core/state-store.js';
import { BIN, makeZone, newHost } from './helpers.js';

/** `apiary-sim load`: sets, replaces and clears a zone's simulated activity. */
function sim(...args: string[]) {
  const r = spawnSync(process.execPath, [join(BIN, 'apiary-sim.js'), ...args], {
    encoding: 'utf8',
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status };
}

describe('apiary-sim load', () => {
  it('stores per-second rates with binary size suffixes and clears them', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    expect(
      sim(
        'load',
        root,
        'vm1',
        '--cpu',
        '0.5',
        '--mem',
        '512M',
        '--net-rx',
        '1M',
        '--net-tx',
        '200K',
        '--disk-read',
        '5M',
        '--disk-write',
        '1M',
      ),
    ).toEqual({ stdout: 'set the load of vm1\n', stderr: '', exitCode: 0 });
    expect(readState(root).load?.zones.vm1?.rates).toEqual({
      cpu: 0.5,
      mem: 512 * 2 ** 20,
      netRx: 2 ** 20,
      netTx: 200 * 1024,
      diskRead: 5 * 2 ** 20,
      diskWrite: 2 ** 20,
    });
    expect(sim('load', root, 'vm1', '--net-tx', '1K').exitCode).toBe(0);
    expect(readState(root).load?.zones.vm1?.rates).toEqual({
      cpu: 0,
      mem: 0,
      netRx: 0,
      netTx: 1024,
      diskRead: 0,
      diskWrite: 0,
    });
    expect(sim('load', root, 'vm1', '--clear')).toEqual({
      stdout: 'cleared the load of vm1\n',
      stderr: '',
      exitCode: 0,
    });
    expect(readState(root).load?.zones.vm1).toBeUndefined();
  });

  it('refuses bad sizes with usage (exit 2) and unknown zones (exit 1)', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    const bad = sim('load', root, 'vm1', '--net-rx', 'fast');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(
      /^apiary-sim: load: --net-rx must be a size like 512M, got 'fast'\nusage:/,
    );
    expect(sim('load', root, 'vm1', '--cpu', '-1').exitCode).toBe(2);
    expect(sim('load', root).exitCode).toBe(2);
    expect(sim('load', root, 'vm1', '--clear', '--cpu', '1').exitCode).toBe(2);
    expect(sim('load', root, 'vm9', '--cpu', '1')).toEqual({
      stdout: '',
      stderr: 'apiary-sim: vm9: No such zone configured\n',
      exitCode: 1,
    });
  });
});
