import { describe, expect, it } from 'vitest';
import { parsePrtconfMemory, parsePsrinfo } from '../../src/host/host-resources.js';
import { parsePoolList } from '../../src/host/zpool.js';

describe('parsePsrinfo', () => {
  it('counts processors and those on-line', () => {
    const out =
      '0\ton-line   since 03/14/2024 09:12:45\n1\ton-line   since 03/14/2024 09:12:47\n2\toff-line  since 03/14/2024 09:13:00\n';
    expect(parsePsrinfo(out)).toEqual({ total: 3, online: 2 });
  });
});

describe('parsePrtconfMemory', () => {
  it('reads prtconf -m', () => {
    expect(parsePrtconfMemory('16354\n')).toBe(16354);
  });
  it('reads the Memory size line of full prtconf', () => {
    expect(
      parsePrtconfMemory('System Configuration:  Oracle  i86pc\nMemory size: 16354 Megabytes\n'),
    ).toBe(16354);
  });
});

describe('parsePoolList', () => {
  it('parses zpool list -Hp', () => {
    expect(parsePoolList('rpool\t1992864825344\t412316860416\t1580547964928\tONLINE\n')).toEqual([
      {
        name: 'rpool',
        size: 1992864825344,
        alloc: 412316860416,
        free: 1580547964928,
        health: 'ONLINE',
      },
    ]);
  });
});
