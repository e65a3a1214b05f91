import { describe, expect, it } from 'vitest';
import { parseSizeMiB } from '../src/index.js';

describe('parseSizeMiB', () => {
  it('reads M, G and T as binary units, with or without iB, in any case', () => {
    expect(parseSizeMiB('512M')).toBe(512);
    expect(parseSizeMiB('20G')).toBe(20_480);
    expect(parseSizeMiB('20g')).toBe(20_480);
    expect(parseSizeMiB('40 GiB')).toBe(40_960);
    expect(parseSizeMiB('2gb')).toBe(2048);
    expect(parseSizeMiB('1T')).toBe(1_048_576);
    expect(parseSizeMiB('1.5G')).toBe(1536);
  });

  it('reads a bare number as MiB', () => {
    expect(parseSizeMiB('2048')).toBe(2048);
    expect(parseSizeMiB(' 1024 ')).toBe(1024);
  });

  it('refuses what is not a whole number of MiB, saying how to write one', () => {
    for (const bad of ['', 'G', '-1G', '20X', '0.3M', '1.2.3G', '20 G B', '1e3']) {
      expect(() => parseSizeMiB(bad), bad).toThrow(/invalid size .*use e\.g\. 512M, 20G/);
    }
  });
});
