import { describe, expect, it } from 'vitest';
import { durationFlag, durationSource } from '../src/lib/duration-flag.js';
import { UsageError } from '../src/lib/errors.js';
import { describeIssues } from '../src/lib/flag-issues.js';

describe('durationFlag', () => {
  it('reads a duration flag in seconds', () => {
    expect(durationFlag('--by', '2h')).toBe(7200);
    expect(durationFlag('--by', undefined)).toBeUndefined();
  });

  it('names the flag in a usage error when the duration is misspelt', () => {
    expect(() => durationFlag('--lifetime', '6 hours')).toThrow(UsageError);
    expect(() => durationFlag('--lifetime', '6 hours')).toThrow(
      /^--lifetime: invalid duration "6 hours"/,
    );
  });
});

describe('durationSource', () => {
  it('says limits of the field in durations, on the flag that set it', () => {
    const issue = { path: 'seconds', code: 'too_big', maximum: 2_592_000, message: 'x' };
    expect(describeIssues([issue], durationSource('seconds', '--by', '400d'))).toEqual([
      '--by 400d: at most 30d',
    ]);
    expect(
      describeIssues([{ ...issue, path: 'other' }], durationSource('seconds', '--by', '1d')),
    ).toEqual(['other: at most 2592000']);
  });
});
