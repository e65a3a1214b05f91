import { describe, expect, it } from 'vitest';
import { loopbackAddress } from '../src/loopback-address.js';

describe('the public address of a fleet host', () => {
  it('gives host N 127.0.0.(N+1), continuing into the next /24, and moves with the series', () => {
    expect([1, 2, 3].map((i) => loopbackAddress(i))).toEqual([
      '127.0.0.2',
      '127.0.0.3',
      '127.0.0.4',
    ]);
    expect(loopbackAddress(254)).toBe('127.0.0.255');
    expect(loopbackAddress(255)).toBe('127.0.1.0');
    expect(loopbackAddress(1, '127.31.7')).toBe('127.31.7.2');
  });

  it('refuses an index it has no address for, and a series outside 127/8', () => {
    expect(() => loopbackAddress(0)).toThrow(RangeError);
    expect(() => loopbackAddress(1, '10.0.0')).toThrow(RangeError);
    expect(() => loopbackAddress(300, '127.0.255')).toThrow(RangeError);
  });
});
