import { describe, expect, it } from 'vitest';
import { parseDatasetList, roundUp } from '../../src/host/zfs-format.js';

describe('parseDatasetList', () => {
  it('parses tab-separated rows with exact bytes and - placeholders', () => {
    const out = [
      'rpool/zones\t34562211840\t401234567168\t98304\t-\tfilesystem',
      'rpool/zones/vm1/disk0\t34462011392\t435584417792\t12288\t34359738368\tvolume',
      'rpool/zones/vm1/disk0@base\t0\t-\t12288\t34359738368\tsnapshot',
      'rpool/zones/vm1/disk0@old\t0\t-\t12288\t-\tsnapshot',
      '',
    ].join('\n');
    const rows = parseDatasetList(out);
    expect(rows[0]).toEqual({
      name: 'rpool/zones',
      used: 34562211840,
      avail: 401234567168,
      refer: 98304,
      volsize: null,
      type: 'filesystem',
    });
    expect(rows[1]?.volsize).toBe(34359738368);
    expect(rows[2]).toMatchObject({ avail: null, type: 'snapshot' });
    expect(rows[3]?.volsize).toBeNull();
  });

  it('fails loudly on a row with the wrong number of columns', () => {
    expect(() => parseDatasetList('rpool 1 2 3 - filesystem\n')).toThrow(/6 columns/);
  });

  it('keeps the first line (-H prints no header)', () => {
    expect(parseDatasetList('rpool\t1\t2\t3\t-\tfilesystem\n')).toHaveLength(1);
  });
});

describe('roundUp', () => {
  it('rounds a size up to the block size', () => {
    expect(roundUp(1, 8192)).toBe(8192);
    expect(roundUp(8192, 8192)).toBe(8192);
    expect(roundUp(8193, 8192)).toBe(16384);
  });
});
