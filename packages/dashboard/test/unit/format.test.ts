import { describe, expect, it } from 'vitest';
import { countdown, formatAgo, percent, shortDigest } from '../../src/lib/format.js';

describe('percent', () => {
  it('rounds, clamps and survives a zero total', () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 4)).toBe(100);
    expect(percent(3, 0)).toBe(0);
  });
});

describe('countdown', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  it('grows more urgent as expiry nears and says expired after it', () => {
    expect(countdown('2030-01-01T06:00:00Z', now)).toEqual({ text: '6h', urgency: 'calm' });
    expect(countdown('2030-01-01T00:20:00Z', now).urgency).toBe('soon');
    expect(countdown('2030-01-01T00:04:00Z', now).urgency).toBe('urgent');
    expect(countdown('2030-01-01T00:00:00Z', now)).toEqual({ text: 'expired', urgency: 'expired' });
    expect(countdown('2029-12-31T23:59:00Z', now)).toEqual({ text: 'expired', urgency: 'expired' });
    expect(countdown('not a date', now)).toEqual({ text: '—', urgency: 'calm' });
  });
});

describe('formatAgo', () => {
  it('reads like a person would say it', () => {
    const now = Date.parse('2030-01-01T00:10:00Z');
    expect(formatAgo('2030-01-01T00:09:58Z', now)).toBe('just now');
    expect(formatAgo('2030-01-01T00:09:30Z', now)).toBe('30s ago');
    expect(formatAgo('2029-12-30T00:10:00Z', now)).toBe('2d ago');
    expect(formatAgo(null, now)).toBe('never');
  });
});

describe('shortDigest', () => {
  it('keeps the first twelve hex characters', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('abababababab');
  });
});
