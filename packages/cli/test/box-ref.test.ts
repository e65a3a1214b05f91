import { describe, expect, it } from 'vitest';
import { parseBoxRef } from '../src/lib/box-ref.js';
import { UsageError } from '../src/lib/errors.js';

describe('parseBoxRef', () => {
  it('reads ORG/BOX and ORG/BOX@VERSION', () => {
    expect(parseBoxRef('acme/debian-12')).toEqual({ box: 'acme/debian-12' });
    expect(parseBoxRef('acme/debian-12@1.2.0')).toEqual({
      box: 'acme/debian-12',
      version: '1.2.0',
    });
  });

  it('refuses what is not a box, as a usage mistake', () => {
    for (const bad of ['debian', 'acme/../etc', '/abs/box', 'acme/debian@', 'acme/debian@1 2']) {
      expect(() => parseBoxRef(bad), bad).toThrow(UsageError);
    }
  });
});
