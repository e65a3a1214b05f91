import { describe, expect, it } from 'vitest';
import {
  countdown,
  formatAgo,
  formatBytes,
  formatDuration,
  formatMiB,
  formatMiBOf,
  percent,
  shortDigest,
} from '../../src/lib/format.js';

describe('formatMiB', () => {
  it('shows MiB, GiB and TiB with at most one decimal', () => {
    expect(formatMiB(512)).toBe('512 MiB');
    expect(formatMiB(1024)).toBe('1 GiB');
    expect(formatMiB(1536)).toBe('1.5 GiB');
    expect(formatMiB(40_960)).toBe('40 GiB');
    expect(formatMiB(2 * 1024 * 1024)).toBe('2 TiB');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
  });
});

describe('percent', () => {
  it('rounds, clamps and survives a zero total', () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 4)).toBe(100);
    expect(percent(3, 0)).toBe(0);
  });
});

describe('formatDuration', () => {
  it('keeps the two largest units', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m 5s');
    expect(formatDuration(21_540)).toBe('5h 59m');
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(2 * 86_400 + 3 * 3600 + 5)).toBe('2d 3h');
  });
});

describe('countdown', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  it('grows more urgent as expiry nears and says expired after it', () => {
    expect(countdown('2030-01-01T06:00:00Z', now)).toEqual({ text: '6h', urgency: 'calm' });
    expect(countdown('2030-01-01T00:20:00Z', now).urgency).toBe('soon');
    expect(countdown('2030-01-01T00:04:00Z', now).urgency).toBe('urgent');
    expect(countdown('2029-12-31T23:59:00Z', now)).toEqual({ text: 'expired', urgency: 'expired' });
  });
});

describe('formatAgo', () => {
  it('reads like a person would say it', () => {
    const now = Date.parse('2030-01-01T00:10:00Z');
    expect(formatAgo('2030-01-01T00:09:58Z', now)).toBe('just now');
    expect(formatAgo('2030-01-01T00:09:30Z', now)).toBe('30s ago');
    expect(formatAgo(null, now)).toBe('never');
  });
});

describe('shortDigest', () => {
  it('keeps the first twelve hex characters', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('abababababab');
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
