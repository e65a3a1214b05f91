import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/lib/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['30m', 1800],
    ['6h', 21600],
    ['2d', 172800],
    ['1h30m', 5400],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'h', '6 hours', '-5m', '1.5h', '6hx'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(93784)).toBe('1d 2h');
    expect(formatDuration(3720)).toBe('1h 2m');
    expect(formatDuration(0)).toBe('expired');
  });
});
