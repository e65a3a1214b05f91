import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatDurationExact,
  formatTimeLeft,
  parseDuration,
} from '../src/index.js';

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['30m', 1800],
    ['6h', 21_600],
    ['2d', 172_800],
    ['1w', 604_800],
    ['1h30m', 5400],
    ['1d 2h', 93_600],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'h', '6 hours', '-5m', '1.5h', '6hx', '6 h'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });
});

describe('formatDuration', () => {
  it('keeps the two largest units, and seconds only under ten minutes', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m 5s');
    expect(formatDuration(725)).toBe('12m');
    expect(formatDuration(3720)).toBe('1h 2m');
    expect(formatDuration(21_540)).toBe('5h 59m');
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(2 * 86_400 + 3 * 3600 + 5)).toBe('2d 3h');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(-5)).toBe('0s');
  });
});

describe('formatDurationExact', () => {
  it('rounds nothing away, so parseDuration reads it back', () => {
    for (const seconds of [0, 59, 60, 93_784, 2_592_000, 90_061]) {
      expect(parseDuration(formatDurationExact(seconds))).toBe(seconds);
    }
    expect(formatDurationExact(90_061)).toBe('1d 1h 1m 1s');
    expect(formatDurationExact(2_592_000)).toBe('30d');
  });
});

describe('formatTimeLeft', () => {
  it('says expired once the deadline has passed', () => {
    expect(formatTimeLeft(0)).toBe('expired');
    expect(formatTimeLeft(-30)).toBe('expired');
    expect(formatTimeLeft(93_784)).toBe('1d 2h');
  });
});
