import { describe, expect, it } from 'vitest';
import { volsizeToReservation } from '../src/zfs/zfs-space.js';
import { readZvol, writeZvol } from '../src/zfs/zvol-api.js';
import { makeZone, newHost, ok, run } from './helpers.js';

/**
 * `zfs set volsize=` on a volume: zfs_valid_proplist()'s checks for an existing volume
 * (multiple of volblocksize, shown with zfs_nicenum; not zero), a thick volume's refreservation
 * following its size (zfs_add_synthetic_resv) and refusing past the free space, a sparse one
 * growing without a check. The data survives growth.
 */
const get = async (root: string, prop: string, ds: string) =>
  (await ok(root, ['zfs', 'get', '-Hpo', 'value', prop, ds])).trim();

describe('zfs set volsize', () => {
  it('grows a thick volume and its refreservation, keeping the data', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-V', '10G', 'rpool/d']);
    writeZvol(root, 'rpool/d', 'grub');
    expect(await run(root, ['zfs', 'set', 'volsize=20G', 'rpool/d'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(await get(root, 'volsize', 'rpool/d')).toBe(`${20 * 2 ** 30}`);
    expect(await get(root, 'refreservation', 'rpool/d')).toBe(
      `${volsizeToReservation(20 * 2 ** 30)}`,
    );
    expect(readZvol(root, 'rpool/d').toString()).toBe('grub');
  });

  it('refuses a size that is not a multiple of the block size, naming it with zfs_nicenum', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-b', '16K', '-V', '1G', 'rpool/d']);
    expect(await run(root, ['zfs', 'set', 'volsize=1000000', 'rpool/d'])).toEqual({
      stdout: '',
      stderr:
        "cannot set property for 'rpool/d': 'volsize' must be a multiple of volume block size (16K)\n",
      exitCode: 1,
    });
  });

  it('refuses zero and a value that is not a number', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/d']);
    expect((await run(root, ['zfs', 'set', 'volsize=0', 'rpool/d'])).stderr).toBe(
      "cannot set property for 'rpool/d': 'volsize' cannot be zero\n",
    );
    expect((await run(root, ['zfs', 'set', 'volsize=big', 'rpool/d'])).stderr).toBe(
      "cannot set property for 'rpool/d': bad numeric value 'big'\n",
    );
    expect(await get(root, 'volsize', 'rpool/d')).toBe(`${2 ** 30}`);
  });

  it('refuses to grow a thick volume past the free space; a sparse one grows anyway', async () => {
    const root = newHost({ pools: [{ name: 'tank', size: '100G' }] });
    await ok(root, ['zfs', 'create', '-V', '40G', 'tank/thick']);
    await ok(root, ['zfs', 'create', '-s', '-V', '40G', 'tank/sparse']);
    expect(await run(root, ['zfs', 'set', 'volsize=200G', 'tank/thick'])).toEqual({
      stdout: '',
      stderr: "cannot set property for 'tank/thick': size is greater than available space\n",
      exitCode: 1,
    });
    expect(await get(root, 'volsize', 'tank/thick')).toBe(`${40 * 2 ** 30}`);
    await ok(root, ['zfs', 'set', 'volsize=200G', 'tank/sparse']);
    expect(await get(root, 'volsize', 'tank/sparse')).toBe(`${200 * 2 ** 30}`);
    expect(await get(root, 'refreservation', 'tank/sparse')).toBe('0');
  });

  it('applies nothing when one property in the list is refused', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/d']);
    expect(
      (await run(root, ['zfs', 'set', 'volsize=2G', 'compression=bogus', 'rpool/d'])).exitCode,
    ).toBe(1);
    expect(await get(root, 'volsize', 'rpool/d')).toBe(`${2 ** 30}`);
  });

  it('grows the disk of a running zone (the guest sees it at its next rescan)', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    await ok(root, ['zfs', 'set', 'volsize=4G', 'rpool/zones/vm1/disk0']);
    expect(await get(root, 'volsize', 'rpool/zones/vm1/disk0')).toBe(`${4 * 2 ** 30}`);
  });

  it('says volsize does not apply to a file system', async () => {
    const root = newHost();
    expect((await run(root, ['zfs', 'set', 'volsize=1G', 'rpool/zones'])).stderr).toBe(
      "cannot set property for 'rpool/zones': 'volsize' does not apply to datasets of this type\n",
    );
  });
});

describe('simulated zvol bytes', () => {
  it('refuses a write past the end of the volume, and reads zeros past what was written', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-s', '-V', '1M', 'rpool/d']);
    expect(() => writeZvol(root, 'rpool/d', 'x', 1024 * 1024)).toThrow(RangeError);
    writeZvol(root, 'rpool/d', 'end', 1024 * 1024 - 3);
    expect(readZvol(root, 'rpool/d', { offset: 0, length: 4 })).toEqual(Buffer.alloc(4));
    expect(readZvol(root, 'rpool/d', { offset: 1024 * 1024 - 3 }).toString()).toBe('end');
    expect(() => readZvol(root, 'rpool/zones')).toThrow('rpool/zones is not a volume');
  });
});
