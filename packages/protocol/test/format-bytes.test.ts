import { describe, expect, it } from 'vitest';
import { formatBytes, formatMiB, formatMiBOf } from '../src/index.js';

describe('formatMiB', () => {
  it('shows MiB, GiB and TiB with at most one decimal', () => {
    expect(formatMiB(512)).toBe('512 MiB');
    expect(formatMiB(1024)).toBe('1 GiB');
    expect(formatMiB(1536)).toBe('1.5 GiB');
    expect(formatMiB(40_960)).toBe('40 GiB');
    expect(formatMiB(2 * 1024 * 1024)).toBe('2 TiB');
    expect(formatMiB(200 * 1024 + 300)).toBe('200 GiB');
  });
});

describe('formatBytes', () => {
  it('uses binary units and whole bytes below a KiB', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
    expect(formatBytes(0)).toBe('0 B');
  });
});

describe('formatMiBOf', () => {
  it('states the reserved amount in the unit of the total', () => {
    expect(formatMiBOf(2048, 65_536)).toEqual({ used: '2', total: '64 GiB' });
    expect(formatMiBOf(0, 1_048_576)).toEqual({ used: '0', total: '1 TiB' });
    expect(formatMiBOf(512, 1000)).toEqual({ used: '512', total: '1000 MiB' });
    expect(formatMiBOf(40_960, 2 * 1024 * 1024)).toEqual({ used: '40 GiB', total: '2 TiB' });
  });
});
