import type { StorageDataset, StoragePool } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { renderDatasets, renderPools } from '../src/commands/render-host-resources.js';

const GiB = 1024 ** 3;
const disk = (name: string, cksum = 0) => ({
  name,
  type: 'disk',
  state: 'ONLINE',
  read: 0,
  write: 0,
  cksum,
  children: [],
});

describe('host storage tables', () => {
  it('draws a pool’s vdev tree as zpool status nests it, with errors and sections', () => {
    const pool: StoragePool = {
      name: 'data',
      size: 100 * GiB,
      allocated: 12.5 * GiB,
      free: 87.5 * GiB,
      fragmentation: 3,
      health: 'DEGRADED',
      vdevs: [
        {
          name: 'mirror-0',
          type: 'mirror',
          state: 'DEGRADED',
          read: 0,
          write: 0,
          cksum: 0,
          children: [disk('c2t0d0'), disk('c2t1d0', 4)],
        },
      ],
      logs: [disk('c3t0d0')],
      cache: [],
      spares: [],
      errors: 'No known data errors',
    };
    const out = renderPools([pool]);
    expect(out).toContain('│ data │ 100 GiB │ 12.5 GiB │ 87.5 GiB │ 3%   │ DEGRADED │');
    expect(out.split('\n\n')[1]).toBe(
      [
        'data',
        '  mirror-0 [mirror]  DEGRADED',
        '    c2t0d0  ONLINE',
        '    c2t1d0  ONLINE (0/0/4 errors)',
        '  logs',
        '    c3t0d0  ONLINE',
        '  errors: No known data errors',
      ].join('\n'),
    );
  });

  it('humanises dataset sizes and marks Apiary’s own', () => {
    const row = (name: string, owner: StorageDataset['owner'], quota: number | null) =>
      ({
        name,
        type: 'filesystem',
        used: 1536 * 1024,
        available: 40 * GiB,
        referenced: 24 * 1024,
        quota,
        reservation: null,
        compression: 'lz4',
        mountpoint: `/${name}`,
        volsize: null,
        recordsize: 131072,
        volblocksize: null,
        atime: 'on',
        owner,
      }) satisfies StorageDataset;
    const out = renderDatasets([
      row('rpool/apiary', 'apiary', null),
      row('rpool/x', 'api', 2 * GiB),
    ]);
    expect(out).toMatch(
      /│ rpool\/apiary │ filesystem │ 1\.5 MiB │ 40 GiB │ 24 KiB │ none +│ none +│ lz4 +│ \/rpool\/apiary │ apiary \(kept\) │/,
    );
    expect(out).toMatch(
      /│ rpool\/x +│ filesystem │ 1\.5 MiB │ 40 GiB │ 24 KiB │ 2 GiB +│ none +│ lz4 +│ \/rpool\/x +│ api +│/,
    );
  });
});
