import { describe, expect, it } from 'vitest';
import { parseSwapList } from '../../src/host/swap.js';
import { parseAdminDatasetList } from '../../src/host/zfs-dataset-list.js';
import { parsePoolUsage } from '../../src/host/zpool-list.js';

describe('parseSwapList', () => {
  it('reads block devices and files, keeping the dataset of a zvol', () => {
    // swap.c list(): "%-19s %2lu,%-2lu" for a device, "%-20s  -  " for a file, then " %8lu" x3.
    const out = [
      'swapfile             dev    swaplo   blocks     free',
      '/dev/zvol/dsk/rpool/swap 90,1         8  4194296  4194296',
      '/export/swapfile       -           8   204792   204792',
      '',
    ].join('\n');
    expect(parseSwapList(out)).toEqual([
      {
        path: '/dev/zvol/dsk/rpool/swap',
        dataset: 'rpool/swap',
        swaplo: 8,
        blocks: 4194296,
        free: 4194296,
      },
      { path: '/export/swapfile', dataset: null, swaplo: 8, blocks: 204792, free: 204792 },
    ]);
  });
});

describe('parseAdminDatasetList', () => {
  it('reads none (0) limits and - placeholders as null', () => {
    const out =
      'rpool/d1\tfilesystem\t24576\t1073717248\t24576\t1073741824\t0\tlz4\t/rpool/d1\t-\t16384\t-\toff\n' +
      'rpool/v1\tvolume\t12288\t1064042409984\t12288\t-\t0\toff\t-\t1073741824\t-\t8192\t-\n';
    const [fs, vol] = parseAdminDatasetList(out);
    expect(fs).toMatchObject({ quota: 1073741824, reservation: null, compression: 'lz4' });
    expect(fs).toMatchObject({ mountpoint: '/rpool/d1', recordsize: 16384, atime: 'off' });
    expect(vol).toMatchObject({ type: 'volume', volsize: 1073741824, mountpoint: null });
    expect(vol).toMatchObject({ quota: null, volblocksize: 8192, atime: null });
  });

  it('refuses a line with the wrong number of columns', () => {
    expect(() => parseAdminDatasetList('rpool\tfilesystem\n')).toThrow(/expected 13 columns/);
  });
});

describe('parsePoolUsage', () => {
  it('reads exact sizes and a fragmentation of - as unknown', () => {
    const out =
      'rpool\t1099511627776\t49152\t1099511578624\t3\tONLINE\ndata\t10\t1\t9\t-\tDEGRADED\n';
    expect(parsePoolUsage(out)).toEqual([
      {
        name: 'rpool',
        size: 1099511627776,
        allocated: 49152,
        free: 1099511578624,
        fragmentation: 3,
        health: 'ONLINE',
      },
      { name: 'data', size: 10, allocated: 1, free: 9, fragmentation: null, health: 'DEGRADED' },
    ]);
  });
});
